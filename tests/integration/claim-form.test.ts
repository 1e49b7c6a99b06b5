import { inRequestScope, PORTAL, portalRequest } from "../support/next-scope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type { ActionState } from "@/lib/action-state";

/**
 * The claim form's refusals, from the real server action (app/(portal)/setup/actions.ts) to what the form
 * shows (lib/form-feedback.ts): a wrong code is said once, under the Setup code field, with no banner
 * repeating it; the secrets are never echoed back (so the form, not the server, keeps them — the claim
 * project's e2e test checks that in Chromium before it claims the portal). A scratch portal of its own,
 * so it never touches the e2e portal's one-time claim.
 */
let penv: PortalEnv;

beforeAll(async () => {
  process.env.PORTAL_URL = PORTAL;
  penv = await startPortalEnv("claim-form");
});

afterAll(async () => {
  const { closeRateLimitPool } = await import("@/lib/rate-limit/store");
  await closeRateLimitPool();
  await penv?.close();
});

async function submit(fields: Record<string, string>): Promise<ActionState<unknown>> {
  const { claimPortalAction } = await import("@/app/(portal)/setup/actions");
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return inRequestScope(portalRequest("/setup"), () => claimPortalAction({ status: "idle" } as never, fd));
}

const typed = { name: "Ada Admin", email: "ada@example.com", password: "correct horse battery staple", confirm: "correct horse battery staple" };

describe("the claim form's refusals", () => {
  it("says a wrong setup code once, inline under the code, and echoes back only what is not secret", async () => {
    const { issueSetupCodeIfUnclaimed } = await import("@/lib/auth/setup-code");
    const { formFeedback } = await import("@/lib/form-feedback");
    await issueSetupCodeIfUnclaimed();
    const state = await submit({ code: "WRNG-CODE-XXXX-YYYY", ...typed });
    expect(state.status).toBe("error");
    expect(formFeedback(state)).toEqual({ banner: null, fields: { code: "That setup code is not valid" } });
    expect(state.status === "error" ? state.values : null).toEqual({ name: "Ada Admin", email: "ada@example.com" });
  });

  it("names every field a bad form gets wrong, inline, without a banner", async () => {
    const { formFeedback } = await import("@/lib/form-feedback");
    const state = await submit({ code: "", name: "", email: "not an email", password: "short", confirm: "other" });
    const { banner, fields } = formFeedback(state);
    expect(banner).toBeNull();
    expect(Object.keys(fields).sort()).toEqual(["code", "confirm", "email", "name", "password"]);
    expect(fields.code).toBe("Enter the setup code printed in the portal's console");
  });

  it("keeps a form-level message, once, when no field carries it", async () => {
    const { formFeedback } = await import("@/lib/form-feedback");
    expect(formFeedback({ status: "error", message: "Too many setup code attempts. Try again in 5 minutes." })).toEqual({ banner: "Too many setup code attempts. Try again in 5 minutes.", fields: {} });
    expect(formFeedback({ status: "ok", message: "You are the portal's first admin." })).toEqual({ banner: null, fields: {} });
  });
});
