import { describe, expect, it } from "vitest";
import { filterErrors, filterQuery, historyFilterSchema, pageSchema, paramsRecord } from "@/lib/schemas/history";
import { srcDoc } from "@/components/history/body-frame";

describe("history filters from the URL", () => {
  it("treats empty fields as unset and normalises addresses", () => {
    const f = historyFilterSchema.parse({ status: "", q: "  invoice ", sender: " HR@Contoso.com ", from: "2026-11-01", to: "2026-11-30" });
    expect(f).toEqual({ q: "invoice", sender: "hr@contoso.com", from: "2026-11-01", to: "2026-11-30" });
  });

  it("names the field of every bad value and never throws", () => {
    const bad = historyFilterSchema.safeParse({
      status: "sent", mode: "fax", device: "d".repeat(101), sender: "a@b.com\r\nBcc: x@y.com", recipient: "<script>@x", tenant: "../../etc/passwd",
      from: "2026-02-30", to: "yesterday", q: "x".repeat(201),
    });
    expect(bad.success).toBe(false);
    const fields = filterErrors(bad.error!);
    expect(Object.keys(fields).sort()).toEqual(["device", "from", "mode", "q", "recipient", "sender", "status", "tenant", "to"]);
    expect(fields.from).toBe("That date does not exist.");
    expect(fields.sender).toBe("Enter one email address, like hr@contoso.com.");
  });

  it("refuses an end date before the start date, and damaged page links", () => {
    const r = historyFilterSchema.safeParse({ from: "2026-11-10", to: "2026-11-01" });
    expect(filterErrors(r.error!)).toEqual({ to: "The end date is before the start date." });
    expect(pageSchema.safeParse({ cursor: "abc'; drop", dir: "next" }).success).toBe(false);
    expect(pageSchema.safeParse({ cursor: "MTc2NDM1fGFiYw", dir: "up" }).success).toBe(false);
  });

  it("keeps only filter keys in shared links", () => {
    const raw = paramsRecord(new URLSearchParams("status=failed&q=a%26b&cursor=xyz&evil=1"));
    expect(filterQuery(raw)).toBe("?status=failed&q=a%26b");
    expect(filterQuery(paramsRecord(new URLSearchParams("device=dev-scanner-abc123&evil=1")))).toBe("?device=dev-scanner-abc123");
    expect(paramsRecord({ status: ["failed", "queued"], q: undefined })).toEqual({ status: "failed" });
  });
});

describe("sandboxed body document", () => {
  it("carries a CSP that blocks scripts and remote loads", () => {
    const doc = srcDoc('<img src="https://tracker.invalid/p.gif"><script>alert(1)</script>');
    expect(doc).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;/);
    expect(doc).not.toContain("script-src");
  });
});
