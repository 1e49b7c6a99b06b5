import "server-only";
import { db } from "../db";
import { AppError } from "../errors";
import { logError } from "../log";
import { metrics } from "../metrics/registry";
import { loadTenantAccess, type TenantAccess } from "../graph/tenant-access";
import { appToken } from "../graph/tokens";
import { delegatedToken } from "../graph/delegated-token";
import { graphClient } from "../graph/client";
import { finishAttempt, LeaseLost, retryHistory, startAttempt } from "./attempts";
import { renewLease } from "./claim";
import { deliver, type Delivery } from "./deliver";
import { finishSend } from "./finish-send";
import { backoffMs, type OutboxOptions } from "./options";
import { clearProgress } from "./progress";
import { loadDevicePrincipal, loadKeyPrincipal, loadSender, maySend } from "../grants/may-send";
import type { SendMode } from "@/generated/prisma/enums";
import { DEFAULT_MAILBOX_LIMIT } from "../schemas/compose";

/**
 * Runs one claimed send: the token (application or delegated), then the Graph calls (deliver.ts), then
 * the outcome recorded on the send. The claim's lease is renewed while this runs. Only the try that
 * holds the claim (its lease token, claim.ts) writes attempts and the result: a try whose lease expired
 * and was recovered stops at its next write ("lost") and writes nothing.
 */
async function token(sendId: string, lease: string, mode: string, tenantId: string, actorUserId: string | null): Promise<{ t?: TenantAccess; accessToken?: string; error?: AppError }> {
  const started = performance.now();
  try {
    const t = await loadTenantAccess(tenantId);
    const accessToken = mode === "delegated" ? await delegatedToken(t, actorUserId ?? "-") : (await appToken(t)).accessToken;
    return { t, accessToken };
  } catch (err) {
    // Not a Graph call, so it is logged only when it fails: the send's log then says why nothing was sent.
    const e = err instanceof AppError ? err : new AppError("TOKEN_FAILED", { userMessage: "Could not get a token from Microsoft.", status: 502, cause: err });
    const status = typeof e.details?.httpStatus === "number" ? e.details.httpStatus : null;
    metrics().tokenFailures.inc({ tenant_id: tenantId, code: e.code });
    const a = await startAttempt(sendId, lease, "token");
    await finishAttempt(a.id, { durationMs: Math.round(performance.now() - started), httpStatus: status, graphCode: e.code, message: e.userMessage, requestId: (e.details?.requestId as string | undefined) ?? null, outcome: "failed" });
    return { error: e };
  }
}

/**
 * Asks lib/grants/may-send.ts again at claim time, with the actor, tenant and mailbox as they are now:
 * a send queued by someone since disabled or demoted, or from a mailbox whose grant or listing was
 * removed, fails with the reason instead of going out. Logged as a "policy" attempt (no Graph call).
 */
async function recheck(s: { id: string; tenantId: string; mode: SendMode; fromAddress: string; actorUserId: string | null; apiKeyId: string | null; deviceId: string | null; test: boolean }, lease: string): Promise<Delivery | null> {
  const tenant = await db().tenant.findUnique({ where: { id: s.tenantId }, select: { id: true, name: true, clientId: true, useApplication: true, useDelegated: true } });
  if (!tenant) return { kind: "failed", code: "TENANT_REMOVED", message: "The tenant was removed after this mail was queued." };
  const refusal = await maySend({ actor: await loadSender(s.actorUserId), apiKey: await loadKeyPrincipal(s.apiKeyId), device: await loadDevicePrincipal(s.deviceId), tenant, mode: s.mode, from: s.fromAddress, test: s.test });
  if (!refusal) return null;
  const a = await startAttempt(s.id, lease, "policy");
  await finishAttempt(a.id, { durationMs: 0, httpStatus: null, graphCode: refusal.code, message: refusal.changed, requestId: null, outcome: "refused" });
  return { kind: "failed", code: refusal.code, message: refusal.changed };
}

export async function processSend(sendId: string, lease: string, o: OutboxOptions): Promise<Delivery["kind"] | "skipped" | "lost"> {
  const s = await db().send.findUnique({ where: { id: sendId } });
  if (!s || s.status !== "sending" || s.workerId !== lease) return "skipped";
  const heartbeat = setInterval(() => void renewLease(sendId, lease, o.leaseMs).catch(() => undefined), Math.max(1_000, o.leaseMs / 3));
  heartbeat.unref?.();
  let result: Delivery;
  try {
    const refused = await recheck(s, lease);
    if (refused) {
      result = refused;
    } else {
      const tok = await token(sendId, lease, s.mode, s.tenantId, s.actorUserId);
      if (!tok.accessToken || !tok.t) {
        const e = tok.error!;
        // Network trouble reaching Entra ID is transient; a refused credential or grant is not.
        result = e.code === "GRAPH_ERROR" ? { kind: "retry", afterMs: null, code: "TOKEN_NETWORK", message: e.userMessage } : { kind: "failed", code: e.code, message: e.userMessage };
      } else {
        const accessToken = tok.accessToken;
        const client = graphClient(tok.t, async () => accessToken);
        const base = s.mode === "delegated" ? "/me" : `/users/${encodeURIComponent(s.fromAddress)}`;
        const limit = await db().tenant.findUnique({ where: { id: s.tenantId }, select: { maxSendSizeBytes: true } });
        result = await deliver(sendId, lease, s, client, base, o.timeoutMs, { leaseMs: o.leaseMs, maxSendSizeBytes: limit?.maxSendSizeBytes ?? DEFAULT_MAILBOX_LIMIT, upload: o.upload });
      }
    }
  } catch (err) {
    if (err instanceof LeaseLost) return "lost";
    logError(`outbox: send ${sendId} failed unexpectedly`, err);
    result = { kind: "failed", code: "PORTAL_ERROR", message: "The portal hit an unexpected error while sending; see the server log." };
  } finally {
    clearInterval(heartbeat);
    await clearProgress(sendId).catch((err: unknown) => logError(`outbox: progress of send ${sendId} not cleared`, err));
  }
  if (result.kind === "retry") {
    // Throttling (429) is Microsoft asking to wait, and waiting works: it never uses up the try budget, so a
    // busy mailbox's message is not failed (an SMTP device was told 250: it would be a bounce) — only a
    // send throttled for longer than maxThrottledMs since its first 429, as a mail queue gives up after a
    // day or two. Outages and network errors keep the budget of maxTransientTries.
    const h = await retryHistory(sendId);
    if (h.last === "throttled") {
      const throttledFor = h.firstThrottledAt ? Date.now() - h.firstThrottledAt.getTime() : 0;
      result =
        throttledFor >= o.maxThrottledMs
          ? { kind: "failed", code: result.code ?? "RETRIES_EXHAUSTED", message: `${result.message ?? "Throttled"} — still throttled after ${formatHours(throttledFor)} (${h.throttled} tries); gave up.` }
          : { ...result, afterMs: result.afterMs ?? backoffMs(h.throttled) };
    } else if (h.transient >= o.maxTransientTries) {
      result = { kind: "failed", code: result.code ?? "RETRIES_EXHAUSTED", message: `${result.message ?? "Temporary failure"} — gave up after ${h.transient} tries.` };
    } else {
      result = { ...result, afterMs: result.afterMs ?? backoffMs(h.transient) };
    }
  }
  if (!(await finishSend(sendId, lease, result))) return "lost";
  metrics().sendsFinished.inc({ outcome: result.kind, mode: s.mode });
  return result.kind;
}

function formatHours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${Math.round(h * 10) / 10} hours` : `${Math.max(1, Math.round(ms / 60_000))} minutes`;
}
