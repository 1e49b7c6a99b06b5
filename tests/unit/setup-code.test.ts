import { describe, expect, it } from "vitest";
import { generateSetupCode, normaliseSetupCode } from "@/lib/auth/setup-code";
import { claimSchema } from "@/lib/schemas/auth";

describe("setup code", () => {
  it("is four groups of four unambiguous characters", () => {
    const codes = new Set(Array.from({ length: 200 }, generateSetupCode));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(c).toMatch(/^[A-HJKMNP-TV-Z2-9]{4}(-[A-HJKMNP-TV-Z2-9]{4}){3}$/);
  });

  it("normalises what people paste: case, spaces, missing dashes", () => {
    expect(normaliseSetupCode(" abcd efgh-jkmn\tpqrs \n")).toBe("ABCD-EFGH-JKMN-PQRS");
    expect(normaliseSetupCode("ABCDEFGHJKMNPQRS")).toBe("ABCD-EFGH-JKMN-PQRS");
  });
});

describe("claimSchema", () => {
  it("names each bad field", () => {
    const r = claimSchema.safeParse({ code: "", name: "", email: "not-an-email", password: "short", confirm: "other" });
    expect(r.success).toBe(false);
    const fields = new Set(r.error!.issues.map((i) => i.path.join(".")));
    expect([...fields].sort()).toEqual(["code", "confirm", "email", "name", "password"]);
  });

  it("refuses mismatched passwords on the confirm field", () => {
    const r = claimSchema.safeParse({ code: "X", name: "A", email: "a@b.co", password: "long-enough-pass", confirm: "long-enough-pasS" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["confirm"]);
  });
});
