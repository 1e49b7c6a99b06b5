import { describe, expect, it } from "vitest";
import { daysLeft, describeDays, expiryState, reachedThreshold } from "@/lib/credentials/expiry";
import { addCertificateScript, azureCliRotation, removeCertificateScript, removeSecretScript } from "@/lib/powershell/credential-rotation";

const now = new Date("2026-12-03T12:00:00Z");
const at = (days: number, hours = 0) => new Date(now.getTime() + days * 86_400_000 + hours * 3_600_000);

describe("credential expiry arithmetic", () => {
  it("counts whole days left as shown, and the thresholds reached by them", () => {
    expect([daysLeft(at(31, 1), now), daysLeft(at(30, 23), now), daysLeft(at(0, 1), now), daysLeft(at(0, -1), now), daysLeft(at(-2, -1), now), daysLeft(null, now)]).toEqual([31, 30, 0, -1, -3, null]);
    expect([at(31, 1), at(30, 1), at(14, 1), at(8, 1), at(7, 1), at(1, 1), at(0, 1), at(-5)].map((d) => reachedThreshold(d, now))).toEqual([null, 30, 14, 14, 7, 1, 1, 1]);
    expect(reachedThreshold(null, now)).toBeNull();
  });

  it("names the state and the days in words", () => {
    expect([at(40), at(29), at(6), at(0, -1), null].map((d) => expiryState(d, now))).toEqual(["ok", "warning", "critical", "expired", "no-expiry"]);
    expect([daysLeft(at(1, 1), now), 0, -1, -2, -4, null].map((d) => describeDays(d))).toEqual(["1 day left", "expires today", "expired today", "expired 1 day ago", "expired 3 days ago", "never expires"]);
  });
});

describe("rotation scripts", () => {
  const t = { directoryId: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555" };
  const cert = (name: string) => ({ base64: "MIIB", displayName: name, thumbprintSha1: "AB12" });
  it("adds a certificate next to the current one and removes by uploading the new one alone", () => {
    expect(addCertificateScript(t, cert("new"), cert("old"))).toContain("Update-MgApplication -ApplicationId $app.Id -KeyCredentials @($currentCert, $newCert)");
    // A thumbprint is hex: anything else is dropped, so a line break cannot end the comment it sits in.
    const removal = removeCertificateScript(t, cert("new"), { thumbprintSha1: "AB\r\nRemove-Everything" });
    expect(removal).toContain("# Old certificate: SHA-1 thumbprint ABeeEe\n");
    expect(removal).not.toMatch(/^Remove-Everything/m);
    expect(removeCertificateScript(t, null, { thumbprintSha1: "AB" })).toContain("-KeyCredentials @()");
  });
  it("quotes every value: a hint with quotes stays one literal", () => {
    const s = removeSecretScript(t, { hint: "a'b", notKeyId: null });
    expect(s).toContain("Where-Object Hint -EQ 'a''b'\n");
    expect(azureCliRotation(t, { remove: "secret", keyId: "x'; rm -rf /" })).toContain(`--key-id 'x'\\''; rm -rf /'`);
  });
});
