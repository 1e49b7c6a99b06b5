import { Badge } from "@/components/ui/card";
import type { Problem } from "@/lib/scripts/convert/problems";

/** What the converter left or flagged, line by line. */
export function ProblemList({ problems }: { problems: Problem[] }) {
  if (problems.length === 0) return <p className="text-sm">Nothing needs attention: every call was converted as it was.</p>;
  return (
    <ul className="space-y-2 text-sm" aria-label="Needs attention">
      {problems.map((p, i) => (
        <li key={i} className="flex gap-3" data-kind={p.kind}>
          <span className="w-16 shrink-0 text-slate-500">{p.line > 0 ? `line ${p.line}` : "file"}</span>
          <span className="shrink-0">{p.blocking ? <Badge tone="bad">not converted</Badge> : <Badge tone="warn">check</Badge>}</span>
          <span>{p.message}</span>
        </li>
      ))}
    </ul>
  );
}
