import "server-only";
import { AppError } from "../errors";
import { graphClient } from "../graph/client";
import { graphCall } from "../graph/send-call";
import { loadTenantAccess } from "../graph/tenant-access";
import { appToken } from "../graph/tokens";
import { MAX_RUN_RECIPIENTS } from "../schemas/bulk";
import { isEmail } from "../schemas/common";
import { DIRECTORY_FIELDS } from "./template";

/**
 * The tenant's users created since a date, the article's welcome list:
 *   GET /users?$filter=createdDateTime ge 2026-11-28T00:00:00Z&$select=…&$top=999
 * followed through @odata.nextLink until the last page (learn.microsoft.com/graph/api/user-list,
 * learn.microsoft.com/graph/paging). createdDateTime is returned only when selected and filters with
 * ge/le without the advanced query headers (learn.microsoft.com/graph/api/resources/user); the value
 * needs a full DateTimeOffset, not a bare date. Application permission: User.Read.All, asked for only
 * when the tenant turned bulk directory runs on (lib/powershell/permissions.ts). Users without a mail
 * address (no mailbox) cannot be welcomed by mail and are counted, not listed.
 */
export interface RecipientDraft {
  address: string;
  fields: Record<string, string>;
}

const SELECT = "id,displayName,givenName,surname,mail,userPrincipalName,createdDateTime";
const TIMEOUT_MS = 30_000;

interface GraphUser {
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  createdDateTime?: string | null;
}

/** `pageSize` is Graph's $top (at most 999); tests lower it to walk several pages. */
export async function directoryUsersSince(tenantId: string, since: Date, pageSize = 999): Promise<{ recipients: RecipientDraft[]; withoutMail: number }> {
  const t = await loadTenantAccess(tenantId);
  const { accessToken } = await appToken(t);
  const client = graphClient(t, async () => accessToken);
  const filter = `createdDateTime ge ${since.toISOString().replace(/\.\d{3}Z$/, "Z")}`;
  let next: string | null = `/users?$filter=${encodeURIComponent(filter)}&$select=${SELECT}&$top=${pageSize}`;
  const recipients: RecipientDraft[] = [];
  const seen = new Set<string>();
  let withoutMail = 0;
  for (let page = 0; next; page++) {
    if (page > 100) throw new AppError("GRAPH_PAGING", { userMessage: "Graph kept returning more pages of users; narrow the date.", status: 502 });
    const r = await graphCall(client, { method: "GET", path: next, timeoutMs: TIMEOUT_MS });
    if (!r.ok) throw directoryError(r.status, r.failure?.graphCode ?? null, r.failure?.message ?? null, r.requestId);
    const body = (r.body ?? {}) as { value?: GraphUser[]; "@odata.nextLink"?: string };
    for (const u of body.value ?? []) {
      const address = (u.mail ?? "").trim().toLowerCase();
      if (!isEmail(address)) {
        withoutMail++;
        continue;
      }
      if (seen.has(address)) continue;
      seen.add(address);
      const fields: Record<string, string> = { displayName: u.displayName ?? "", givenName: u.givenName ?? "", surname: u.surname ?? "", mail: address };
      recipients.push({ address, fields });
      if (recipients.length > MAX_RUN_RECIPIENTS) {
        throw new AppError("TOO_MANY_RECIPIENTS", { userMessage: `More than ${MAX_RUN_RECIPIENTS.toLocaleString("en")} users were created since that date (Exchange's daily limit per mailbox); choose a later date.`, status: 422, fields: { since: "Choose a later date" } });
      }
    }
    // The nextLink is absolute and carries Graph's own skip token: followed as given (graph/paging).
    next = body["@odata.nextLink"] ?? null;
  }
  return { recipients, withoutMail };
}

export const DIRECTORY_PLACEHOLDERS = DIRECTORY_FIELDS;

function directoryError(status: number | null, code: string | null, message: string | null, requestId: string | null): AppError {
  const details = { graphCode: code ?? undefined, httpStatus: status ?? undefined, requestId: requestId ?? undefined };
  if (status === 403) {
    return new AppError("DIRECTORY_DENIED", {
      userMessage: "Microsoft refused to list the tenant's users (403 Authorization_RequestDenied): the app lacks the User.Read.All application permission. Turn on \"Welcome new users\" in the tenant's setup, run the updated registration script or grant the permission, give admin consent again, then retry — or use a CSV instead.",
      status: 409,
      fields: { source: "The app may not list users (User.Read.All missing)" },
      details,
    });
  }
  if (status === 429 || (status !== null && status >= 500)) {
    return new AppError("DIRECTORY_BUSY", { userMessage: `Microsoft is busy (HTTP ${status}); try again in a minute.`, status: 503, details });
  }
  return new AppError("DIRECTORY_FAILED", { userMessage: `Listing the tenant's users failed: ${message ?? `HTTP ${status ?? "no answer"}`}${code ? ` (${code})` : ""}.`, status: 502, details });
}
