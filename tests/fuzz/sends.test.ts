/**
 * Issue 10, bad input: POST /api/sends (the real route handler, real Request objects) and the compose
 * server action (the real action, a real FormData) with 1,000+ generated messages each — malformed and
 * hostile addresses, 501 recipients, CRLF, NUL, huge and empty fields, wrong JSON types, confusables,
 * forged attachment ids and headers. Every refusal is a 4xx / field-error state naming the field, never a
 * 5xx; a refusal writes nothing but (for a mailbox the person may not use) its audit event; an accepted
 * message writes exactly its Send row and its audit event.
 *
 * Both run inside Next's request scope (tests/support/next-scope.ts) with a real next-auth session cookie:
 * nothing is mocked.
 */
import { inRequestScope, portalRequest, sessionCookie } from "../support/next-scope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { delta, expectClientError, expectFieldRefusal, fc, formData, formValue, holds, hostileAddress, hostileJson, hostileString, rowCounts, show, VERY_HUGE, wrongType, type ActionStateLike, type ErrorBody } from "./support";

let penv: PortalEnv;
let cookie: string;
let granted: string;
let notGranted: string;
let senderId: string;
let foreignUpload: string;

const FIELDS = ["tenantId", "mode", "from", "to", "cc", "bcc", "replyTo", "subject", "bodyType", "body", "importance", "saveToSent", "headers", "attachments"] as const;

beforeAll(async () => {
  process.env.PORTAL_URL = "http://localhost:3000";
  penv = await startPortalEnv("fuzz-sends", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  const { db } = await import("@/lib/db");
  granted = penv.sb.endpoints.mailboxes.shared;
  notGranted = penv.sb.endpoints.mailboxes.allowed;
  const sender = await db().user.create({ data: { email: "sam.sender@example.com", name: "Sam Sender", role: "sender" } });
  const other = await db().user.create({ data: { email: "olga.other@example.com", name: "Olga Other", role: "sender" } });
  senderId = sender.id;
  const mb = await db().senderMailbox.findFirstOrThrow({ where: { tenantId: penv.tenantId, address: granted } });
  await db().senderGrant.create({ data: { mailboxId: mb.id, userId: sender.id } });
  cookie = await sessionCookie(sender);
  const { saveUpload } = await import("@/lib/sends/upload-store");
  foreignUpload = (await saveUpload({ ownerId: other.id, name: "theirs.txt", contentType: "text/plain", body: new Blob(["not yours"]).stream() })).id;
});

afterAll(async () => {
  await penv?.close();
});

// ---- the message generator: each field mostly plausible, sometimes hostile, so some messages pass ----

const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>, goodWeight = 7) => fc.oneof({ weight: goodWeight, arbitrary: good }, { weight: 1, arbitrary: bad });
const many = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@contoso.example`);

const recipients = mostly(
  fc.array(fc.emailAddress(), { minLength: 1, maxLength: 3 }),
  fc.oneof(
    fc.array(hostileAddress, { minLength: 1, maxLength: 4 }),
    fc.constantFrom(many(501), many(500).concat(["r0@contoso.example"]), [] as string[]),
    fc.array(hostileJson, { maxLength: 3 }),
    hostileJson,
  ),
  4,
);

const headerArb = fc.record({ name: mostly(fc.stringMatching(/^[xX]-[A-Za-z0-9-]{1,20}$/), hostileJson, 3), value: mostly(fc.string({ maxLength: 40 }), hostileJson, 3) });

function message(tenantId: () => string) {
  return fc.record(
    {
      tenantId: mostly(fc.constant(null).map(() => tenantId()), hostileJson),
      mode: mostly(fc.constant("app"), fc.oneof(fc.constant("delegated"), hostileJson)),
      from: mostly(fc.constantFrom(() => granted, () => ` ${granted.toUpperCase()} `, () => notGranted).map((f) => f()), fc.oneof(hostileAddress, wrongType)),
      to: recipients,
      cc: fc.option(recipients, { nil: undefined, freq: 4 }),
      bcc: fc.option(recipients, { nil: undefined, freq: 4 }),
      replyTo: fc.option(mostly(fc.array(fc.emailAddress(), { maxLength: 1 }), hostileJson), { nil: undefined, freq: 4 }),
      subject: mostly(fc.string({ maxLength: 60 }), hostileString),
      bodyType: fc.option(mostly(fc.constantFrom("html", "text"), hostileJson), { nil: undefined }),
      body: fc.option(mostly(fc.string({ maxLength: 200 }), fc.oneof({ weight: 9, arbitrary: hostileString }, { weight: 1, arbitrary: fc.constant(VERY_HUGE) })), { nil: undefined }),
      importance: fc.option(mostly(fc.constantFrom("low", "normal", "high"), hostileJson), { nil: undefined }),
      saveToSent: fc.option(mostly(fc.constantFrom(true, false, "true", "false", "on", "off"), hostileJson), { nil: undefined }),
      headers: fc.option(mostly(fc.array(headerArb, { maxLength: 3 }), fc.oneof(fc.array(headerArb, { minLength: 6, maxLength: 7 }), hostileJson)), { nil: undefined, freq: 3 }),
      attachments: fc.option(
        fc.oneof(
          fc.constant([] as unknown[]),
          fc.constant(null).map(() => [{ id: foreignUpload }]),
          fc.array(fc.record({ id: fc.oneof(fc.stringMatching(/^[a-f0-9]{32}$/), hostileJson) }), { maxLength: 2 }),
          hostileJson,
        ),
        { nil: undefined, freq: 3 },
      ),
    },
    { requiredKeys: [] },
  );
}

type Message = Record<string, unknown>;

/** Extra keys a hostile client adds: they must change nothing (the actor comes from the session). */
const extras = fc.option(fc.record({ actor: fc.constant({ id: "someone-else", role: "admin" }), test: fc.constant(true), status: fc.constant("accepted"), id: fc.string() }, { requiredKeys: [] }), { nil: undefined, freq: 3 });

async function expectAccepted(sendId: string, msg: Message, d: Record<string, number>, ctx: string) {
  const { db } = await import("@/lib/db");
  expect(d, ctx).toEqual({ Send: 1, AuditEvent: 1 });
  const row = await db().send.findUniqueOrThrow({ where: { id: sendId } });
  expect(row.fromAddress, ctx).toBe(String(msg.from).trim().toLowerCase());
  expect(row.actorUserId, ctx).toBe(senderId);
  expect(row.status, ctx).toBe("queued");
  expect(row.test, ctx).toBe(false);
  expect(row.recipientCount, ctx).toBeGreaterThan(0);
  expect(row.recipientCount, ctx).toBeLessThanOrEqual(500);
  const audit = await db().auditEvent.findFirstOrThrow({ where: { target: sendId } });
  expect(audit.action, ctx).toBe("send.queued");
}

/** A refusal writes nothing, except the audit event of a refused mailbox. */
async function expectNothingSaved(d: Record<string, number>, ctx: string) {
  const { db } = await import("@/lib/db");
  if (d.AuditEvent === 1 && Object.keys(d).length === 1) {
    const last = await db().auditEvent.findFirstOrThrow({ orderBy: { at: "desc" } });
    expect(last.action, ctx).toBe("send.refused");
    return;
  }
  expect(d, ctx).toEqual({});
}

describe("POST /api/sends with 1,000 generated bodies", () => {
  it("answers 201 with the full rows, or a 4xx naming the field with nothing saved", async () => {
    const { POST } = await import("@/app/api/sends/route");
    let accepted = 0;
    const rawBodies = fc.oneof(
      fc.constantFrom("", "{", "null", "[]", "42", '"a string"', "[{}]", '{"to": ', "\u0000", "{}".repeat(1000)),
      fc.json(),
      hostileString,
    );
    const body = fc.oneof(
      { weight: 9, arbitrary: fc.tuple(message(() => penv.tenantId), extras).map(([m, x]) => ({ msg: { ...m, ...x } as Message, text: JSON.stringify({ ...m, ...x }) })) },
      { weight: 1, arbitrary: rawBodies.map((text) => ({ msg: null as Message | null, text })) },
    );
    await holds("api-sends", body, async ({ msg, text }) => {
      const ctx = show(msg ?? text);
      const before = await rowCounts();
      const req = portalRequest("/api/sends", { cookie, headers: { "content-type": "application/json" }, body: text });
      const res = await inRequestScope(req, () => POST(req, { params: Promise.resolve({}) }));
      const payload = (await res.json()) as ErrorBody & { id?: string };
      const d = delta(before, await rowCounts());
      if (res.status === 201) {
        accepted++;
        await expectAccepted(payload.id!, msg!, d, ctx);
      } else {
        expectClientError(res.status, payload, [...FIELDS, "body", "form"], ctx);
        await expectNothingSaved(d, ctx);
      }
    });
    // The generator is meant to let some messages through, so the accepted branch is exercised too.
    expect(accepted).toBeGreaterThan(10);
  }, 300_000);
});

describe("the compose action with 1,000 generated forms", () => {
  it("returns ok with the full rows, or a field-error state naming the field with nothing saved", async () => {
    const { sendAction } = await import("@/app/(portal)/compose/actions");
    let accepted = 0;
    // What the compose form posts: strings (lists joined, headers and attachments as JSON), or a forged post.
    const asFormValue = (v: unknown) => (v === undefined ? undefined : typeof v === "string" ? v : Array.isArray(v) && v.every((x) => typeof x === "string") ? v.join(", ") : JSON.stringify(v));
    const form = fc.tuple(message(() => penv.tenantId), fc.dictionary(fc.constantFrom(...FIELDS, "$ACTION_ID_x", "actor", "test"), formValue(), { maxKeys: 2 })).map(([m, forged]) => {
      const fields: Record<string, ReturnType<typeof asFormValue> | File | string[]> = {};
      for (const [k, v] of Object.entries(m)) fields[k] = asFormValue(v);
      return { msg: m as Message, fields: { ...fields, ...forged } };
    });
    await holds("compose-action", form, async ({ msg, fields }) => {
      const ctx = show(fields);
      const before = await rowCounts();
      const req = portalRequest("/compose", { cookie });
      const state = (await inRequestScope(req, () => sendAction({ status: "idle" } as never, formData(fields)))) as ActionStateLike & { data?: { sendId: string } };
      const d = delta(before, await rowCounts());
      if (state.status === "ok") {
        accepted++;
        await expectAccepted(state.data!.sendId, { ...msg, from: fields.from }, d, ctx);
      } else {
        // A forged extra field is named too when it is what was refused.
        expectFieldRefusal(state, [...FIELDS, ...Object.keys(fields)], ctx);
        await expectNothingSaved(d, ctx);
      }
    });
    expect(accepted).toBeGreaterThan(10);
  }, 300_000);
});
