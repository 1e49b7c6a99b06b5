import type { ReactNode } from "react";

/** A labelled radio group (fieldset + legend) whose error is tied to it with aria-describedby. */
export function Choice({ name, legend, options, defaultValue, error, hint }: {
  name: string;
  legend: string;
  options: { value: string; label: ReactNode; hint?: ReactNode }[];
  defaultValue?: string;
  error?: string;
  hint?: ReactNode;
}) {
  const errorId = error ? `${name}-error` : undefined;
  const hintId = hint ? `${name}-hint` : undefined;
  return (
    <fieldset className="space-y-2" aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}>
      <legend className="text-sm font-medium">{legend}</legend>
      {hint ? <p id={hintId} className="text-xs text-slate-500 dark:text-slate-400">{hint}</p> : null}
      {options.map((o) => (
        <label key={o.value} className="flex items-start gap-2 text-sm">
          <input type="radio" name={name} value={o.value} defaultChecked={defaultValue === o.value} aria-invalid={error ? true : undefined} className="mt-1" />
          <span>
            {o.label}
            {o.hint ? <span className="block text-xs text-slate-500 dark:text-slate-400">{o.hint}</span> : null}
          </span>
        </label>
      ))}
      {error ? <p id={errorId} role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
    </fieldset>
  );
}
