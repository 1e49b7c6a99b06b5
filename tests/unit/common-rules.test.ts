import { describe, expect, it } from "vitest";
import { EXCHANGE_LIMITS, isDirectoryId, isEmail, isGuid } from "@/lib/schemas/common";
import { composeSchema, MAX_RECIPIENTS } from "@/lib/schemas/compose";
import { claimSchema, signInSchema } from "@/lib/schemas/auth";
import { restrictSchema, tenantStepSchema } from "@/lib/schemas/wizard";
import { historyFilterSchema } from "@/lib/schemas/history";

// One rule per concept: every form and handler that takes an email address agrees with lib/schemas/common.ts.
const GOOD = ["adele.vance@contoso.com", "o'brien@contoso.com", "hr-welcome+x@sub.contoso.co.uk"];
const BAD = ["adele", "a@b", "a b@contoso.com", "a@contoso.com, b@contoso.com", 'x"@contoso.com', "a@contoso.com\r\nBcc: e@x.com", "<a@contoso.com>", `${"a".repeat(250)}@contoso.com`];

describe("shared rules", () => {
  it("the email rule, and every schema that takes an address uses it", () => {
    for (const v of GOOD) expect(isEmail(v), v).toBe(true);
    for (const v of BAD) expect(isEmail(v), v).toBe(false);
    const accepts = {
      signIn: (v: string) => signInSchema.safeParse({ email: v, password: "x" }).success,
      claim: (v: string) => claimSchema.safeParse({ code: "c", name: "n", email: v, password: "123456789012", confirm: "123456789012" }).success,
      compose: (v: string) => composeSchema.safeParse({ tenantId: "t", mode: "app", from: v, to: "x@contoso.com", subject: "s" }).success,
      restrict: (v: string) => restrictSchema.safeParse({ mailboxes: v, groupAddress: "senders@contoso.com" }).success,
      history: (v: string) => historyFilterSchema.safeParse({ sender: v }).success,
    };
    for (const [name, ok] of Object.entries(accepts)) {
      for (const v of GOOD) expect(ok(v), `${name} accepts ${v}`).toBe(true);
      for (const v of BAD.filter((b) => !b.includes(","))) expect(ok(v), `${name} refuses ${JSON.stringify(v)}`).toBe(false);
    }
  });

  it("directory ids, clouds and Exchange's limits have one definition", () => {
    expect(isGuid("72f988bf-86f1-41af-91ab-2d7cd011db47")).toBe(true);
    expect(isDirectoryId("contoso.onmicrosoft.com")).toBe(true);
    expect(isDirectoryId("https://contoso.com")).toBe(false);
    expect(tenantStepSchema.safeParse({ name: "C", directoryId: "contoso.com", cloud: "mars", usage: "both" }).success).toBe(false);
    expect(MAX_RECIPIENTS).toBe(EXCHANGE_LIMITS.recipientsPerMessage);
  });
});
