/**
 * The sandbox control API, on the login host under /_sandbox (JSON in, JSON out; 400 with the
 * offending field names on bad input):
 *   POST /reset                      store back to the seeded demo tenant; faults, clock, sessions cleared
 *   POST /seed                       add tenants, users, mailboxes, groups, apps, grants, policies (entra/seed-input.ts)
 *   GET  /state                      a JSON summary for debugging
 *   POST /faults                     {"rate":0..1,"statuses":[429,503],"retryAfterSeconds":n,"retryAfterFormat":"seconds"|"http-date","latencyMs":n,"latencyJitterMs":n,"responseDelayMs":n}; {"rate":0} clears;
 *                                    with "clientId" and/or "mailbox" only that app's / mailbox's Graph requests
 *   GET  /faults                     {"faults": <sandbox-wide>, "scoped": [{clientId?, mailbox?, config}]}
 *   GET  /clock                      {"now": ISO, "speed": n}: the sandbox clock, for clients that follow it
 *   POST /clock                      {"advanceSeconds":n} | {"speed":1..10000} (sandbox time runs n× real time) | {"reset":true}
 *   POST /message-trace              {"quarantine":[addr],"filteredAsSpam":[addr],"pendingSeconds":n,"throttleLimit":n,"throttleWindowSeconds":n}:
 *                                    message trace faults (each field optional; lists replace); {"reset":true} back to defaults
 *   GET  /message-trace              the settings and the number of trace rows
 *   POST /apps/{appId}/secrets       add a client secret (e.g. an expired one); answers its secretText
 *   POST /apps/{appId}/certificates  add a certificate credential {pem, startDateTime?, endDateTime?}
 *   POST /users/{id|upn}/revoke-sessions  revoke the user's refresh tokens and sign-in sessions
 *   GET  /credentials[?appId=…]      every credential value the sandbox holds or issued: client secret texts
 *                                    and refresh tokens (for secret scans: what must never leak from a client)
 * Mail routes (messages, inbox) are added by registerMailControlRoutes (exchange/control-routes.ts).
 */
import type { SandboxContext } from "./context";
import { findApp, findUserByUpn } from "./entra/directory";
import { applySeed } from "./entra/seed-apply";
import { addCertificate, addSecret, SeedError } from "./entra/seed-input";
import { entraState } from "./entra/state";
import { DEFAULT_TRACE_SETTINGS, mailState } from "./exchange/mail-state";
import { readBody, sendJson, type Ctx, type Router } from "./http";
import { RunInputError, runPowerShell } from "./powershell/run";

const hooks = new WeakMap<SandboxContext, (() => void)[]>();

/** Lets other parts (Graph/Exchange state: throttling windows, upload sessions) clear themselves on reset. */
export function onSandboxReset(ctx: SandboxContext, fn: () => void): void {
  const list = hooks.get(ctx) ?? [];
  list.push(fn);
  hooks.set(ctx, list);
}

export function runResetHooks(ctx: SandboxContext): void {
  for (const fn of hooks.get(ctx) ?? []) fn();
}

export interface ControlOptions {
  /** Store back to the seeded demo tenant; faults, clock and Entra sessions cleared. */
  reset(): void;
}

export class BadInput extends Error {
  constructor(public readonly fields: string[], message: string) {
    super(message);
  }
}

export async function readJson(c: Ctx): Promise<Record<string, unknown>> {
  const raw = (await readBody(c.req, 20 * 1024 * 1024)).toString("utf8").trim();
  if (!raw) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new BadInput([], "The body is not valid JSON.");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new BadInput([], "The body must be a JSON object.");
  return v as Record<string, unknown>;
}

/** Runs a control handler, turning validation failures into 400 {error:{code,message,fields}}. */
function guarded(fn: (c: Ctx) => Promise<void> | void) {
  return async (c: Ctx) => {
    try {
      await fn(c);
    } catch (e) {
      if (e instanceof BadInput || e instanceof SeedError) {
        sendJson(c.res, 400, { error: { code: "BadRequest", message: e.message, fields: e.fields } });
        return;
      }
      throw e;
    }
  };
}

/** The optional scope of a fault setting: an app (client id) and/or a mailbox (address, UPN or object id). */
function parseScope(b: Record<string, unknown>, bad: string[]): { clientId?: string; mailbox?: string } {
  const scope: { clientId?: string; mailbox?: string } = {};
  for (const k of ["clientId", "mailbox"] as const) {
    const v = b[k];
    if (v === undefined) continue;
    if (typeof v !== "string" || !v.trim() || v.length > 320) bad.push(k);
    else scope[k] = v.trim().toLowerCase();
  }
  return scope;
}

function parseFaults(b: Record<string, unknown>, current: SandboxContext["faults"], bad: string[]): SandboxContext["faults"] {
  const known = ["rate", "statuses", "retryAfterSeconds", "retryAfterFormat", "latencyMs", "latencyJitterMs", "responseDelayMs", "clientId", "mailbox"];
  for (const k of Object.keys(b)) if (!known.includes(k)) bad.push(k);
  const rate = b.rate;
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) bad.push("rate");
  const statuses = b.statuses ?? (rate === 0 ? [] : current.statuses);
  // 0 = drop the connection; otherwise a real HTTP error status.
  if (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s) && (s === 0 || (s >= 400 && s <= 599)))) bad.push("statuses");
  else if (typeof rate === "number" && rate > 0 && statuses.length === 0) bad.push("statuses");
  const retryAfter = b.retryAfterSeconds ?? 1;
  if (!Number.isInteger(retryAfter) || (retryAfter as number) < 0 || (retryAfter as number) > 3600) bad.push("retryAfterSeconds");
  const format = b.retryAfterFormat ?? "seconds";
  if (format !== "seconds" && format !== "http-date") bad.push("retryAfterFormat");
  const latency = b.latencyMs ?? 0;
  if (!Number.isInteger(latency) || (latency as number) < 0 || (latency as number) > 120_000) bad.push("latencyMs");
  const jitter = b.latencyJitterMs ?? 0;
  if (!Number.isInteger(jitter) || (jitter as number) < 0 || (jitter as number) > 120_000) bad.push("latencyJitterMs");
  const responseDelay = b.responseDelayMs ?? 0;
  if (!Number.isInteger(responseDelay) || (responseDelay as number) < 0 || (responseDelay as number) > 120_000) bad.push("responseDelayMs");
  if (bad.length) throw new BadInput(bad, `Invalid fault settings: ${bad.join(", ")}. Expected {"rate":0..1,"statuses":[429,503,0=drop],"retryAfterSeconds":0..3600,"retryAfterFormat":"seconds"|"http-date","latencyMs":0..120000,"latencyJitterMs":0..120000,"responseDelayMs":0..120000,"clientId"?:"<app id>","mailbox"?:"<address or id>"}.`);
  if (rate === 0) return { rate: 0, statuses: [429, 503], retryAfterSeconds: 1, latencyMs: latency as number, latencyJitterMs: jitter as number, responseDelayMs: responseDelay as number };
  return { rate: rate as number, statuses: statuses as number[], retryAfterSeconds: retryAfter as number, retryAfterFormat: format as "seconds" | "http-date", latencyMs: latency as number, latencyJitterMs: jitter as number, responseDelayMs: responseDelay as number };
}

function state(ctx: SandboxContext) {
  const s = ctx.store;
  const es = entraState(ctx);
  return {
    urls: ctx.urls,
    clock: { now: new Date(ctx.clock.now()).toISOString(), offsetSeconds: Math.round((ctx.clock.now() - Date.now()) / 1000), speed: ctx.clock.speed() },
    faults: ctx.faults,
    scopedFaults: ctx.scopedFaults,
    tenants: [...s.tenants.values()],
    users: [...s.users.values()].map(({ password: _p, ...u }) => ({ ...u, mailbox: s.mailboxes.get(u.id) ?? null })),
    groups: [...s.groups.values()],
    apps: [...s.apps.values()].map((a) => ({
      ...a,
      secrets: a.secrets.map(({ secretText: _t, ...x }) => x),
      certificates: a.certificates.map(({ pem: _p, ...x }) => x),
    })),
    servicePrincipals: [...s.servicePrincipals.values()],
    appRoleGrants: s.appRoleGrants,
    delegatedGrants: s.delegatedGrants,
    accessPolicies: s.accessPolicies,
    exoServicePrincipals: s.exoServicePrincipals,
    managementScopes: s.managementScopes,
    roleAssignments: s.roleAssignments,
    deliveredCount: s.delivered.length,
    entra: { activeCodes: es.codes.size, refreshTokens: es.refreshTokens.size, sessions: es.sessions.size },
  };
}

/**
 * The values a client of the sandbox must keep secret, as the sandbox knows them: each app's client secret
 * texts and every refresh token issued (revoked or not). For tests that scan a client's database, logs and
 * pages for leaks. The control API can already create secrets and answers their text, so this exposes
 * nothing new to a caller of it.
 */
function credentials(ctx: SandboxContext, appId: string | null) {
  const match = (id: string) => !appId || id.toLowerCase() === appId.toLowerCase();
  return {
    clientSecrets: [...ctx.store.apps.values()]
      .filter((a) => match(a.appId))
      .flatMap((a) => a.secrets.map((x) => ({ appId: a.appId, keyId: x.keyId, secretText: x.secretText }))),
    refreshTokens: [...entraState(ctx).refreshTokens]
      .filter(([, g]) => match(g.appId))
      .map(([token, g]) => ({ appId: g.appId, tenantId: g.tenantId, userId: g.userId, revoked: g.revoked, token })),
  };
}

export function registerControlRoutes(router: Router, ctx: SandboxContext, opts: ControlOptions): void {
  router.on("POST", "/_sandbox/reset", (c) => {
    opts.reset();
    sendJson(c.res, 200, { ok: true });
  });
  router.on("GET", "/_sandbox/state", (c) => sendJson(c.res, 200, state(ctx)));
  router.on("GET", "/_sandbox/credentials", (c) => sendJson(c.res, 200, credentials(ctx, c.url.searchParams.get("appId"))));
  router.on("POST", "/_sandbox/seed", guarded(async (c) => {
    const created = applySeed(ctx, await readJson(c));
    sendJson(c.res, 201, created);
  }));
  router.on("POST", "/_sandbox/faults", guarded(async (c) => {
    const b = await readJson(c);
    const bad: string[] = [];
    const scope = parseScope(b, bad);
    if (!scope.clientId && !scope.mailbox) {
      ctx.faults = parseFaults(b, ctx.faults, bad);
      return sendJson(c.res, 200, { faults: ctx.faults });
    }
    // Scoped: replaces (or, with rate 0 and no latency, removes) the setting for exactly this scope.
    const same = (s: (typeof ctx.scopedFaults)[number]) => s.clientId === scope.clientId && s.mailbox === scope.mailbox;
    const existing = ctx.scopedFaults.find(same);
    const config = parseFaults(b, existing?.config ?? ctx.faults, bad);
    ctx.scopedFaults = ctx.scopedFaults.filter((s) => !same(s));
    if (config.rate > 0 || config.latencyMs > 0 || (config.latencyJitterMs ?? 0) > 0) ctx.scopedFaults.push({ ...scope, config });
    sendJson(c.res, 200, { faults: config, scope });
  }));
  router.on("GET", "/_sandbox/faults", (c) => sendJson(c.res, 200, { faults: ctx.faults, scoped: ctx.scopedFaults }));
  const traceJson = () => {
    const st = mailState(ctx.store);
    const t = st.traceSettings;
    return { quarantine: [...t.quarantine], filteredAsSpam: [...t.filteredAsSpam], pendingSeconds: t.pendingSeconds, throttleLimit: t.throttleLimit, throttleWindowSeconds: t.throttleWindowSeconds, traces: st.traces.length };
  };
  router.on("GET", "/_sandbox/message-trace", (c) => sendJson(c.res, 200, traceJson()));
  router.on("POST", "/_sandbox/message-trace", guarded(async (c) => {
    const b = await readJson(c);
    const st = mailState(ctx.store);
    if (b.reset === true) {
      st.traceSettings = DEFAULT_TRACE_SETTINGS();
      st.traceRequests.clear();
      return sendJson(c.res, 200, traceJson());
    }
    const bad: string[] = [];
    const next = { ...st.traceSettings };
    for (const k of ["quarantine", "filteredAsSpam"] as const) {
      const v = b[k];
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || !x.includes("@") || x.length > 320)) bad.push(k);
      else next[k] = new Set(v.map((x: string) => x.trim().toLowerCase()));
    }
    const num = (k: "pendingSeconds" | "throttleLimit" | "throttleWindowSeconds", min: number, max: number) => {
      const v = b[k];
      if (v === undefined) return;
      if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) bad.push(k);
      else next[k] = v;
    };
    num("pendingSeconds", 0, 86_400);
    num("throttleLimit", 1, 100_000);
    num("throttleWindowSeconds", 1, 3_600);
    if (bad.length) throw new BadInput(bad, `Invalid message trace settings: ${bad.join(", ")}.`);
    st.traceSettings = next;
    st.traceRequests.clear();
    sendJson(c.res, 200, traceJson());
  }));
  router.on("POST", "/_sandbox/powershell/run", guarded(async (c) => { try { sendJson(c.res, 200, await runPowerShell(ctx, await readJson(c))); } catch (e) { if (e instanceof RunInputError) throw new BadInput(e.fields, e.message); throw e; } }));
  // The sandbox clock as a client may follow it (the portal's PORTAL_CLOCK_URL, in demos and tests only).
  router.on("GET", "/_sandbox/clock", (c) => {
    sendJson(c.res, 200, { now: new Date(ctx.clock.now()).toISOString(), speed: ctx.clock.speed() });
  });
  router.on("POST", "/_sandbox/clock", guarded(async (c) => {
    const b = await readJson(c);
    if (b.reset === true) ctx.clock.reset();
    else if (b.speed !== undefined) {
      if (typeof b.speed !== "number" || !Number.isFinite(b.speed) || b.speed < 1 || b.speed > 10_000) throw new BadInput(["speed"], 'Expected {"speed": 1..10000} (sandbox seconds per real second).');
      ctx.clock.setSpeed(b.speed);
    } else if (typeof b.advanceSeconds === "number" && Number.isFinite(b.advanceSeconds) && b.advanceSeconds >= 0) ctx.clock.advance(b.advanceSeconds * 1000);
    else throw new BadInput(["advanceSeconds"], 'Expected {"advanceSeconds": n ≥ 0} or {"speed": n} or {"reset": true}.');
    sendJson(c.res, 200, { now: new Date(ctx.clock.now()).toISOString(), speed: ctx.clock.speed() });
  }));
  router.on("POST", "/_sandbox/apps/:appId/secrets", guarded(async (c) => {
    const app = findApp(ctx.store, c.params.appId ?? "");
    if (!app) return sendJson(c.res, 404, { error: { code: "NotFound", message: `No app with appId '${c.params.appId}'.` } });
    sendJson(c.res, 201, addSecret(ctx, app, await readJson(c), "body"));
  }));
  router.on("POST", "/_sandbox/apps/:appId/certificates", guarded(async (c) => {
    const app = findApp(ctx.store, c.params.appId ?? "");
    if (!app) return sendJson(c.res, 404, { error: { code: "NotFound", message: `No app with appId '${c.params.appId}'.` } });
    const { pem: _p, ...cert } = addCertificate(ctx, app, await readJson(c), "body");
    sendJson(c.res, 201, cert);
  }));
  router.on("POST", "/_sandbox/users/:user/revoke-sessions", (c) => {
    const key = c.params.user ?? "";
    const user = ctx.store.users.get(key) ?? findUserByUpn(ctx.store, key);
    if (!user) return sendJson(c.res, 404, { error: { code: "NotFound", message: `No user '${key}'.` } });
    const es = entraState(ctx);
    let revoked = 0;
    for (const rt of es.refreshTokens.values()) {
      if (rt.userId !== user.id || rt.revoked) continue;
      rt.revoked = true;
      revoked++;
    }
    for (const [k, s] of es.sessions) if (s.userId === user.id) es.sessions.delete(k);
    sendJson(c.res, 200, { revokedRefreshTokens: revoked });
  });
}
