/**
 * What the upload host enforces besides ranges, and how tests turn it on (control API, login host):
 *
 *   POST /_sandbox/upload-limits  {"uploadVolume": {"bytes": n, "windowSeconds": n} | "documented" | null}
 *                                 {"faults": {"dropAfterCommitAtByte"?: n, "expireAtByte"?: n} | null}
 *   GET  /_sandbox/upload-limits  the current settings
 *
 * Upload volume. Outlook limits "upload size" (the total of PATCH/POST/PUT request bodies) per app ID and
 * mailbox and answers 429 with Retry-After when it is exceeded; the current page says 150 MB per 5
 * minutes (learn.microsoft.com/graph/throttling-limits#outlook-service-limits), an older version of the
 * same page 15 MB per 30 seconds (github.com/microsoftgraph/microsoft-graph-docs-contrib, file
 * concepts/throttling-limits.md, history). "documented" = 150 MB (157,286,400 bytes) per 300 s. The
 * limit is OFF by default, so uploads are not throttled unless a test or the benchmark asks for it.
 * Counted here: the bytes of upload PUTs and of attachment POSTs (whether Outlook also counts a draft's
 * JSON is unconfirmed). Over the limit, the PUT is answered 429 ApplicationThrottled with Retry-After in
 * seconds, computed from the sliding window (the wording of the message is unconfirmed; the code is the
 * one Outlook's other throttling answers use). A range alone larger than the whole volume is let
 * through once the window is empty, so a small test volume can never block an upload forever.
 *
 * Upload faults (one-shot each; for resume and expiry tests):
 * - dropAfterCommitAtByte: the first PUT whose range reaches that byte is stored, then the connection is
 *   destroyed without an answer — the client does not know the range arrived and must ask the session
 *   (GET uploadUrl → nextExpectedRanges) instead of sending it again;
 * - expireAtByte: the first PUT whose range starts at or past that byte finds its session gone (404
 *   ErrorItemNotFound, as for an expired session).
 * POST /_sandbox/reset clears both.
 */
import type { SandboxContext } from "../context";
import { onSandboxReset, readJson, BadInput } from "../control";
import { sendJson, type Ctx, type Router } from "../http";

export const DOCUMENTED_UPLOAD_VOLUME = { bytes: 150 * 1024 * 1024, windowSeconds: 300 };

interface Limits {
  volume: { bytes: number; windowSeconds: number } | null;
  faults: { dropAfterCommitAtByte?: number; expireAtByte?: number };
  /** "appId|mailboxUserId" → accepted uploads in the window (sandbox clock). */
  ledger: Map<string, { at: number; bytes: number }[]>;
  /** 429s answered since the last reset (the benchmark reports them). */
  throttled: number;
}

const state = new WeakMap<SandboxContext, Limits>();

export function uploadLimits(ctx: SandboxContext): Limits {
  let s = state.get(ctx);
  if (!s) {
    s = { volume: null, faults: {}, ledger: new Map(), throttled: 0 };
    state.set(ctx, s);
    onSandboxReset(ctx, () => state.delete(ctx));
  }
  return s;
}

/** Seconds to wait before `bytes` more fit the app+mailbox's upload volume, or 0 when they fit now. */
export function uploadVolumeWait(ctx: SandboxContext, appId: string, mailboxUserId: string, bytes: number): number {
  const s = uploadLimits(ctx);
  if (!s.volume) return 0;
  const now = ctx.clock.now();
  const windowMs = s.volume.windowSeconds * 1000;
  const key = `${appId.toLowerCase()}|${mailboxUserId}`;
  const recent = (s.ledger.get(key) ?? []).filter((e) => e.at > now - windowMs);
  s.ledger.set(key, recent);
  let used = recent.reduce((n, e) => n + e.bytes, 0);
  if (used === 0 || used + bytes <= s.volume.bytes) return 0;
  // The oldest uploads leave the window first: wait until enough of them have.
  for (const e of recent) {
    used -= e.bytes;
    if (used === 0 || used + bytes <= s.volume.bytes) {
      s.throttled++;
      return Math.max(1, Math.ceil((e.at + windowMs - now) / 1000));
    }
  }
  return 1;
}

export function recordUploadVolume(ctx: SandboxContext, appId: string, mailboxUserId: string, bytes: number): void {
  const s = uploadLimits(ctx);
  if (!s.volume) return;
  const key = `${appId.toLowerCase()}|${mailboxUserId}`;
  s.ledger.set(key, [...(s.ledger.get(key) ?? []), { at: ctx.clock.now(), bytes }]);
}

/** Takes the one-shot fault matching this range, if any. */
export function takeUploadFault(ctx: SandboxContext, start: number, end: number): "drop" | "expire" | null {
  const f = uploadLimits(ctx).faults;
  if (f.expireAtByte !== undefined && start >= f.expireAtByte) {
    delete f.expireAtByte;
    return "expire";
  }
  if (f.dropAfterCommitAtByte !== undefined && end + 1 >= f.dropAfterCommitAtByte) {
    delete f.dropAfterCommitAtByte;
    return "drop";
  }
  return null;
}

const wholeNumber = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

function view(s: Limits) {
  return { uploadVolume: s.volume, faults: s.faults, throttled: s.throttled, documented: DOCUMENTED_UPLOAD_VOLUME };
}

export function registerUploadLimitRoutes(router: Router, ctx: SandboxContext): void {
  router.on("GET", "/_sandbox/upload-limits", (c: Ctx) => sendJson(c.res, 200, view(uploadLimits(ctx))));
  router.on("POST", "/_sandbox/upload-limits", async (c: Ctx) => {
    try {
      const b = await readJson(c);
      const s = uploadLimits(ctx);
      const bad = Object.keys(b).filter((k) => k !== "uploadVolume" && k !== "faults");
      let volume = s.volume;
      if ("uploadVolume" in b) {
        const v = b.uploadVolume;
        if (v === null) volume = null;
        else if (v === "documented") volume = { ...DOCUMENTED_UPLOAD_VOLUME };
        else if (v && typeof v === "object" && wholeNumber((v as Record<string, unknown>).bytes, 1, 2 ** 40) && wholeNumber((v as Record<string, unknown>).windowSeconds, 1, 86_400)) {
          volume = { bytes: (v as { bytes: number }).bytes, windowSeconds: (v as { windowSeconds: number }).windowSeconds };
        } else bad.push("uploadVolume");
      }
      let faults = s.faults;
      if ("faults" in b) {
        const f = b.faults as Record<string, unknown> | null;
        if (f === null) faults = {};
        else if (f && typeof f === "object" && Object.keys(f).every((k) => (k === "dropAfterCommitAtByte" || k === "expireAtByte") && wholeNumber(f[k], 0, 2 ** 40))) {
          faults = { ...(f as Limits["faults"]) };
        } else bad.push("faults");
      }
      if (bad.length) {
        throw new BadInput(bad, `Invalid upload limits: ${bad.join(", ")}. Expected {"uploadVolume": {"bytes": n, "windowSeconds": 1..86400} | "documented" | null, "faults": {"dropAfterCommitAtByte"?: n, "expireAtByte"?: n} | null}.`);
      }
      s.volume = volume;
      s.faults = faults;
      if (!volume) s.ledger.clear();
      sendJson(c.res, 200, view(s));
    } catch (e) {
      if (e instanceof BadInput) return sendJson(c.res, 400, { error: { code: "BadRequest", message: e.message, fields: e.fields } });
      throw e;
    }
  });
}
