import type { SelectHTMLAttributes } from "react";
import { FieldFrame } from "./field";

interface Props extends SelectHTMLAttributes<HTMLSelectElement> {
  name: string;
  label: string;
  options: { value: string; label: string }[];
  error?: string;
}

/** A labelled select whose error is tied to it with aria-describedby (the same frame as Field). */
export function SelectField({ name, label, options, error, id, className = "", ...rest }: Props) {
  return (
    <FieldFrame id={id ?? `field-${name}`} label={label} error={error} className={className}>
      {(aria) => (
        <select name={name} {...aria} {...rest}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}
