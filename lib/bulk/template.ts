/**
 * Bulk templates: `{{name}}` placeholders in the subject and the HTML body, filled per recipient from
 * their fields (displayName, givenName, surname, mail from the directory, or any CSV column). Pure and
 * browser-safe, so the run's page and the queueing step render alike.
 *
 * - Names match case-insensitively and may hold spaces ("{{ First name }}" for a CSV column "First name").
 * - In the body every value is HTML-escaped (a display name `<script>` arrives as text, never as markup);
 *   in the subject line breaks become spaces (a subject is one line — lib/schemas/compose.ts).
 * - A placeholder no recipient field provides is an error naming it, raised before anything is queued.
 */
export const PLACEHOLDER = /\{\{\s*([^{}\r\n]{1,100}?)\s*\}\}/g;

/** Fields every directory recipient has; CSV recipients have their columns (and `mail`). */
export const DIRECTORY_FIELDS = ["displayName", "givenName", "surname", "mail"] as const;

export type Fields = Record<string, string>;

/** The distinct placeholder names in a text, as written. */
export function placeholders(text: string): string[] {
  const out = new Map<string, string>();
  for (const m of text.matchAll(PLACEHOLDER)) out.set(m[1]!.toLowerCase(), m[1]!);
  return [...out.values()];
}

/** The first placeholder of `text` that `known` lacks, or null. */
export function unknownPlaceholder(text: string, known: readonly string[]): string | null {
  const k = new Set(known.map((x) => x.toLowerCase()));
  return placeholders(text).find((p) => !k.has(p.toLowerCase())) ?? null;
}

export function escapeHtml(v: string): string {
  return v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function lookup(fields: Fields, name: string): string {
  const key = Object.keys(fields).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? "" : (fields[key] ?? "");
}

/** The subject for one recipient: values as text, line breaks flattened. */
export function renderSubject(subject: string, fields: Fields): string {
  return subject.replace(PLACEHOLDER, (_, name: string) => lookup(fields, name).replace(/[\r\n\u2028\u2029\u0085]+/g, " "));
}

/** The HTML body for one recipient: every value HTML-escaped. */
export function renderHtml(html: string, fields: Fields): string {
  return html.replace(PLACEHOLDER, (_, name: string) => escapeHtml(lookup(fields, name)));
}

/** Field errors for a template whose placeholders the recipients' fields do not all provide. */
export function templateErrors(t: { subject: string; html: string }, known: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const list = known.map((k) => `{{${k}}}`).join(", ");
  const s = unknownPlaceholder(t.subject, known);
  if (s !== null) errors.subject = `Unknown placeholder {{${s}}}: the recipients have ${list}`;
  const b = unknownPlaceholder(t.html, known);
  if (b !== null) errors.html = `Unknown placeholder {{${b}}}: the recipients have ${list}`;
  return errors;
}
