"use client";
import { useState, type ClipboardEvent, type KeyboardEvent } from "react";
import { formatAddress, parseAddressList, type Address } from "@/lib/schemas/addresses";

/**
 * Recipients as chips. Typing a separator (Enter, comma, semicolon) or leaving the field turns the text
 * into chips; a pasted list ("a@x; Bo <b@x>\nc@x") becomes several. Text that is not an address stays
 * in the box with a message, so nothing typed is lost.
 */
export function AddressChips({ id, label, value, onChange, error, hint }: { id: string; label: string; value: Address[]; onChange: (v: Address[]) => void; error?: string; hint?: string }) {
  const [text, setText] = useState("");
  const [bad, setBad] = useState<string[]>([]);

  function commit(raw: string) {
    const { valid, invalid } = parseAddressList(raw);
    const known = new Set(value.map((a) => a.address.toLowerCase()));
    const added = valid.filter((a) => !known.has(a.address.toLowerCase()) && known.add(a.address.toLowerCase()));
    if (added.length) onChange([...value, ...added]);
    setBad(invalid);
    setText(invalid.join(", "));
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if ((e.key === "Enter" || e.key === "," || e.key === ";") && text.trim()) {
      e.preventDefault();
      commit(text);
    } else if (e.key === "Backspace" && !text && value.length) {
      onChange(value.slice(0, -1));
    }
  }

  function onPaste(e: ClipboardEvent<HTMLInputElement>) {
    const pasted = e.clipboardData.getData("text");
    if (/[,;\n]/.test(pasted)) {
      e.preventDefault();
      commit(`${text}\n${pasted}`);
    }
  }

  const message = bad.length ? `"${bad[0]}" is not an email address` : error;
  const describedBy = [hint ? `${id}-hint` : "", message ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex flex-wrap items-center gap-1 rounded-md border border-slate-300 bg-white px-2 py-1 focus-within:ring-2 focus-within:ring-brand-600 dark:border-slate-700 dark:bg-slate-900">
        <ul className="contents" aria-label={`${label} recipients`}>
          {value.map((a) => (
            <li key={a.address} className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-sm dark:bg-slate-800">
              <span>{formatAddress(a)}</span>
              <button type="button" className="rounded-full px-1 text-slate-500 hover:text-red-600" aria-label={`Remove ${a.address} from ${label}`} onClick={() => onChange(value.filter((x) => x.address !== a.address))}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          id={id}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => text.trim() && commit(text)}
          aria-invalid={message ? true : undefined}
          aria-describedby={describedBy}
          autoComplete="off"
          className="min-w-[12rem] flex-1 bg-transparent px-1 py-1 text-sm outline-none"
        />
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      {message ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-600 dark:text-red-400">
          {message}
        </p>
      ) : null}
    </div>
  );
}
