import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import type { SessionUser } from "../auth/session";
import { recordAudit } from "../audit/record";
import { db } from "../db";
import { AppError, forbidden, notFound } from "../errors";
import { loadSender, maySend } from "../grants/may-send";
import type { NewRunInput } from "../schemas/bulk";
import { mayCreateRuns } from "./access";
import { csvRecipients } from "./csv-recipients";
import { directoryUsersSince, type RecipientDraft } from "./directory-users";
import { DIRECTORY_FIELDS } from "./template";

/**
 * Step 1 of a bulk run: who it goes to. Asks lib/grants whether the person may send as the From mailbox
 * (the same question queue-send asks for every message, and the outbox again), then reads the
 * recipients — the directory's users created since a date, or a CSV — and stores them with the run as
 * a draft. Nothing is queued here.
 */
const invalid = (fields: Record<string, string>, message = "Check the highlighted fields.") => new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields });

export async function createRun(actor: SessionUser, input: NewRunInput): Promise<{ id: string; count: number; skipped: number }> {
  if (!mayCreateRuns(actor)) throw forbidden("send bulk runs");
  const tenant = await db().tenant.findUnique({ where: { id: input.tenantId }, select: { id: true, name: true, clientId: true, useApplication: true, useDelegated: true, bulkDirectory: true } });
  if (!tenant) throw notFound("That tenant");
  const refusal = await maySend({ actor: await loadSender(actor.id), tenant, mode: "app", from: input.from });
  if (refusal) {
    if (refusal.field === "actor") throw forbidden("send bulk runs");
    throw invalid({ [refusal.field]: refusal.message }, refusal.message);
  }

  let recipients: RecipientDraft[];
  let columns: string[];
  let skipped = 0;
  if (input.source === "directory") {
    if (!tenant.bulkDirectory) {
      throw invalid({ source: `Tenant "${tenant.name}" does not let bulk runs list its users: an admin turns on "Welcome new users" in the tenant's setup (it adds the User.Read.All permission). Or use a CSV.` });
    }
    const r = await directoryUsersSince(tenant.id, new Date(`${input.since}T00:00:00Z`));
    recipients = r.recipients;
    skipped = r.withoutMail;
    columns = [...DIRECTORY_FIELDS];
    if (!recipients.length) throw invalid({ since: `No user with a mail address was created in "${tenant.name}" since ${input.since}.` });
  } else {
    const r = csvRecipients(input.csv ?? "");
    recipients = r.recipients;
    skipped = r.duplicates;
    columns = r.columns;
  }

  const name = input.name ?? (input.source === "directory" ? `Welcome users created since ${input.since}` : `CSV run of ${new Date().toISOString().slice(0, 10)}`);
  const run = await db().$transaction(async (tx) => {
    const row = await tx.bulkRun.create({
      data: {
        tenantId: tenant.id, createdById: actor.id, name, fromAddress: input.from, source: input.source,
        since: input.since ? new Date(`${input.since}T00:00:00Z`) : null, total: recipients.length,
      },
      select: { id: true },
    });
    await tx.bulkRecipient.createMany({
      data: recipients.map((r, i) => ({ runId: row.id, position: i, address: r.address, fields: r.fields as Prisma.InputJsonValue })),
    });
    await recordAudit({ actor, action: "bulk.created", target: row.id, tenantId: tenant.id, after: { name, from: input.from, source: input.source, recipients: recipients.length, columns } }, tx);
    return row;
  });
  return { id: run.id, count: recipients.length, skipped };
}
