import { describe, expect, it } from "vitest";
import { envelopeRecipients, subjectLine, validAddresses } from "@/lib/smtp/envelope";

describe("envelope recipients (lib/smtp/envelope.ts)", () => {
  it("To/Cc are the header addresses also in RCPT TO; the rest of RCPT TO is Bcc", () => {
    expect(envelopeRecipients(["A@x.com", "b@x.com", "hidden@x.com"], ["a@x.com", "not-addressed@x.com"], ["B@X.com"])).toEqual({ to: ["a@x.com"], cc: ["b@x.com"], bcc: ["hidden@x.com"] });
  });
  it("a Bcc-only message, duplicates and an address in both To and Cc", () => {
    expect(envelopeRecipients(["a@x.com", "A@x.com", "b@x.com"], [], [])).toEqual({ to: [], cc: [], bcc: ["a@x.com", "b@x.com"] });
    expect(envelopeRecipients(["a@x.com"], ["a@x.com"], ["a@x.com"])).toEqual({ to: ["a@x.com"], cc: [], bcc: [] });
  });
  it("header recipients without an envelope receive nothing", () => {
    expect(envelopeRecipients([], ["a@x.com"], ["b@x.com"])).toEqual({ to: [], cc: [], bcc: [] });
  });
  it("subjects become one storable line of at most 255 characters", () => {
    expect(subjectLine("Scan\r\nBcc: evil@x.com\u0000")).toBe("Scan Bcc: evil@x.com");
    expect(subjectLine("x".repeat(300))).toHaveLength(255);
    expect(subjectLine(undefined)).toBe("");
    expect(subjectLine("half \ud800 emoji")).toBe("half  emoji");
  });
  it("keeps valid addresses only", () => {
    expect(validAddresses(["A@x.com", "bad", "a@x.com", "c@y.org"])).toEqual(["a@x.com", "c@y.org"]);
  });
});
