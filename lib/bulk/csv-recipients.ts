import "server-only";
import { parse } from "csv-parse/sync";
import { AppError } from "../errors";
import { isEmail, isStorableText } from "../schemas/common";
import { MAX_RUN_RECIPIENTS } from "../schemas/bulk";
import type { RecipientDraft } from "./directory-users";

/**
 * Recipients from a pasted or uploaded CSV (RFC 4180, read with csv-parse): the first row names the
 * columns, one of which holds the address (email, mail, e-mail, emailaddress or address, any case).
 * Every column becomes a placeholder ({{First name}}); `mail` is always the address. A row whose
 * address is not an email address is an error naming the line, so nothing is half-imported; a second
 * row for the same address is dropped (a run mails each address once).
 */
const ADDRESS_COLUMNS = ["email", "mail", "e-mail", "emailaddress", "email address", "address"];

const bad = (message: string) => new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields: { csv: message } });

export function csvRecipients(text: string): { recipients: RecipientDraft[]; columns: string[]; duplicates: number } {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ""), { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw bad(`The CSV could not be read${line ? ` (line ${line})` : ""}: check its quotes.`);
  }
  const header = rows[0];
  if (!header || rows.length < 2) throw bad("The CSV needs a first row naming the columns and at least one recipient row.");
  const columns = header.map((h) => h.trim());
  const seenCols = new Set<string>();
  for (const c of columns) {
    if (!c) throw bad("Every column of the first row needs a name.");
    if (c.length > 100 || /[{}]/.test(c) || !isStorableText(c)) throw bad(`The column name "${c.slice(0, 40)}" cannot be a placeholder (at most 100 characters, no braces).`);
    if (seenCols.has(c.toLowerCase())) throw bad(`The column "${c}" appears twice.`);
    seenCols.add(c.toLowerCase());
  }
  const at = columns.findIndex((c) => ADDRESS_COLUMNS.includes(c.toLowerCase()));
  if (at < 0) throw bad(`No email column: name one column "email" (found: ${columns.slice(0, 8).join(", ")}).`);
  if (rows.length - 1 > MAX_RUN_RECIPIENTS) throw bad(`At most ${MAX_RUN_RECIPIENTS.toLocaleString("en")} recipients in one run (Exchange's daily limit per mailbox); split the file.`);

  const recipients: RecipientDraft[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const address = (row[at] ?? "").trim().toLowerCase();
    if (!isEmail(address)) throw bad(`Line ${i + 1}: "${address.slice(0, 80)}" is not an email address.`);
    if (seen.has(address)) {
      duplicates++;
      continue;
    }
    seen.add(address);
    const fields: Record<string, string> = {};
    columns.forEach((c, j) => (fields[c] = row[j] ?? ""));
    fields.mail = address;
    recipients.push({ address, fields });
  }
  return { recipients, columns: [...new Set([...columns, "mail"])], duplicates };
}
