import type { InputHTMLAttributes, ReactNode } from "react";

const CONTROL_CLASS =
  "block min-h-10 w-full rounded-control border border-line-strong bg-raised px-3 py-2 text-sm text-fg shadow-sm placeholder:text-fg-subtle hover:border-fg-subtle focus-visible:border-primary aria-invalid:border-danger disabled:cursor-not-allowed disabled:bg-sunken";

interface FrameProps {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  className?: string;
  /** Renders the control with the ARIA attributes that tie it to its hint and error. */
  children: (aria: { id: string; "aria-invalid"?: true; "aria-describedby"?: string; className: string }) => ReactNode;
}

/** Label, hint and error around one form control, tied together with aria-describedby. */
export function FieldFrame({ id, label, hint, error, className = "", children }: FrameProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium text-fg">
        {label}
      </label>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || undefined, className: CONTROL_CLASS })}
      {hint ? (
        <p id={hintId} className="text-xs text-fg-subtle">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className="text-sm font-medium text-danger-text">
          {error}
        </p>
      ) : null}
    </div>
  );
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  name: string;
  label: string;
  hint?: ReactNode;
  error?: string;
}

/** A labelled input whose hint and error are tied to it with aria-describedby. */
export function Field({ name, label, hint, error, id, className = "", ...input }: FieldProps) {
  return (
    <FieldFrame id={id ?? `field-${name}`} label={label} hint={hint} error={error} className={className}>
      {(aria) => <input name={name} {...aria} {...input} />}
    </FieldFrame>
  );
}
