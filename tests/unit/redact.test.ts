import { describe, expect, it } from "vitest";
import { redact } from "@/lib/log";

describe("redact", () => {
  it("removes bearer tokens, form-encoded secrets and JSON secrets", () => {
    const text = [
      "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig",
      "client_id=abc&client_secret=Xy8Q~supersecret&grant_type=client_credentials",
      'body {"refresh_token":"0.AAA-refresh","clientSecret":"s3cr3t","name":"ok"}',
    ].join("\n");
    const out = redact(text);
    for (const secret of ["eyJhbGciOiJSUzI1NiJ9.payload.sig", "Xy8Q~supersecret", "0.AAA-refresh", "s3cr3t"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("client_id=abc");
    expect(out).toContain('"name":"ok"');
  });
});
