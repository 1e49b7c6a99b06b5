import { randomBytes } from "node:crypto";
import { X509Certificate, createPrivateKey, createSign, createVerify } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { restrictSchema, secretSchema, tenantStepSchema } from "@/lib/schemas/wizard";

beforeAll(() => {
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
});

const tenant = { name: "Contoso", directoryId: "72f988bf-86f1-41af-91ab-2d7cd011db47", cloud: "global", usage: "both", largeAttachments: "on" };
const fieldOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => r.error?.issues.map((i) => i.path.join("."));

describe("wizard schemas", () => {
  it("accepts a GUID or a verified domain and refuses anything a script could choke on", () => {
    expect(tenantStepSchema.parse(tenant).largeAttachments).toBe(true);
    expect(tenantStepSchema.safeParse({ ...tenant, directoryId: "contoso.onmicrosoft.com" }).success).toBe(true);
    for (const bad of ["contoso", "https://contoso.com", "a'b.com", "x.com\nWrite-Host pwned", "72f988bf-86f1-41af-91ab", "$(whoami).com"]) {
      expect(new Set(fieldOf(tenantStepSchema.safeParse({ ...tenant, directoryId: bad }))), bad).toEqual(new Set(["directoryId"]));
    }
    expect(fieldOf(tenantStepSchema.safeParse({ ...tenant, name: "Contoso\r\nEvil" }))).toEqual(["name"]);
    expect(fieldOf(tenantStepSchema.safeParse({ ...tenant, cloud: "mars" }))).toEqual(["cloud"]);
  });

  it("explains a secret ID pasted instead of its value, and a past expiry", () => {
    const r = secretSchema.safeParse({ secret: "3fa85f64-5717-4562-b3fc-2c963f66afa6", expires: "2020-01-01" });
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      "That is the secret's ID. Paste its Value (shown once, next to the ID) instead",
      "That date is in the past: create a new secret",
    ]);
  });

  it("refuses a mailbox as the policy's group, with the fix", () => {
    const r = restrictSchema.safeParse({ method: "policy", mailboxes: "hr@contoso.com\nadele@contoso.com", groupAddress: "HR@contoso.com", createGroup: "on", outsideMailbox: "adele@contoso.com" });
    expect(fieldOf(r)).toEqual(["groupAddress", "outsideMailbox"]);
    expect(r.error?.issues[0]?.message).toMatch(/shared mailbox, a distribution group or a Microsoft 365 group cannot scope the app\. Put the mailboxes in a mail-enabled security group/);
    const ok = restrictSchema.parse({ method: "policy", mailboxes: "HR@contoso.com, hr@contoso.com;o'brien@contoso.com", groupAddress: "senders@contoso.com", outsideMailbox: "" });
    expect(ok).toEqual({ method: "policy", mailboxes: ["hr@contoso.com", "o'brien@contoso.com"], groupAddress: "senders@contoso.com", createGroup: false });
  });

  it("RBAC for Applications is the default method and needs no group; the access policy does", () => {
    expect(restrictSchema.parse({ mailboxes: "hr@contoso.com", groupAddress: "", outsideMailbox: "" })).toEqual({ method: "rbac", mailboxes: ["hr@contoso.com"], createGroup: false });
    expect(fieldOf(restrictSchema.safeParse({ method: "policy", mailboxes: "hr@contoso.com", groupAddress: "" }))).toEqual(["groupAddress"]);
    expect(fieldOf(restrictSchema.safeParse({ method: "sideways", mailboxes: "hr@contoso.com" }))).toEqual(["method"]);
  });
});

describe("consent state", () => {
  it("explains consent errors in words", async () => {
    const { explainConsentError } = await import("@/lib/tenants/wizard/explain-consent");
    expect(explainConsentError("access_denied", "AADSTS65004: User declined to consent. Trace ID: x").title).toBe("Consent was declined");
    expect(explainConsentError("consent_required", null).title).toBe("An administrator must grant consent");
    expect(explainConsentError("invalid_request", "AADSTS50011: The redirect URI … Trace ID: 1").title).toBe("The redirect URI is not registered");
  });
});

describe("certificate generation", () => {
  it("makes an RSA 2048 self-signed client certificate whose thumbprints match, valid 1 year, signing with its key", async () => {
    const { makeClientCertificate } = await import("@/lib/tenants/wizard/generate-certificate");
    const c = makeClientCertificate(1, "Graph Mail Portal", new Date("2026-11-28T00:00:00Z"));
    const x = new X509Certificate(c.certificatePem);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(x.fingerprint256.replace(/:/g, "")).toBe(c.thumbprintSha256);
    expect(x.fingerprint.replace(/:/g, "")).toBe(c.thumbprintSha1);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2027);
    const sig = createSign("sha256").update("x").sign(createPrivateKey(c.privateKeyPem));
    expect(createVerify("sha256").update("x").verify(x.publicKey, sig)).toBe(true);
  });
});
