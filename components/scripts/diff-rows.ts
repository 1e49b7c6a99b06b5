import { diffLines } from "diff";

/** One row of a side-by-side diff: the original's line on the left, the converted file's on the right. */
export interface DiffRow {
  left: { n: number; text: string } | null;
  right: { n: number; text: string } | null;
  kind: "same" | "changed" | "removed" | "added";
}

const lines = (s: string) => {
  const l = s.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
};

/**
 * Rows for a side-by-side view, from jsdiff's line diff (https://github.com/kpdecker/jsdiff): a removed
 * block followed by an added one is paired line by line as "changed". CR of CRLF files is not shown.
 */
export function diffRows(original: string, converted: string): DiffRow[] {
  const parts = diffLines(original, converted, { stripTrailingCr: true });
  const rows: DiffRow[] = [];
  let l = 1;
  let r = 1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!p.added && !p.removed) {
      for (const t of lines(p.value)) rows.push({ left: { n: l++, text: t }, right: { n: r++, text: t }, kind: "same" });
    } else if (p.removed) {
      const next = parts[i + 1];
      const old = lines(p.value);
      const neu = next?.added ? lines(next.value) : [];
      if (next?.added) i++;
      for (let k = 0; k < Math.max(old.length, neu.length); k++) {
        const a = old[k];
        const b = neu[k];
        rows.push({
          left: a === undefined ? null : { n: l++, text: a },
          right: b === undefined ? null : { n: r++, text: b },
          kind: a !== undefined && b !== undefined ? "changed" : a !== undefined ? "removed" : "added",
        });
      }
    } else {
      for (const t of lines(p.value)) rows.push({ left: null, right: { n: r++, text: t }, kind: "added" });
    }
  }
  return rows;
}
