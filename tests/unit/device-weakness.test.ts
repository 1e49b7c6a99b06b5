import { describe, expect, it } from "vitest";
import { weaknesses } from "@/lib/devices/weakness";

// What the Devices page flags, from what the relay records (lib/smtp/server.ts: TLS protocol or "none", AUTH mechanism or "none (IP)").
describe("device weaknesses", () => {
  const seen = new Date();
  it("flags TLS older than 1.2, a password sent without TLS, and IP-only devices", () => {
    expect(weaknesses({ ipOnly: false, lastSeenAt: seen, lastTlsVersion: "TLSv1.3", lastAuthMethod: "PLAIN" })).toEqual([]);
    expect(weaknesses({ ipOnly: false, lastSeenAt: seen, lastTlsVersion: "TLSv1.1", lastAuthMethod: "LOGIN" })).toEqual(["old-tls"]);
    expect(weaknesses({ ipOnly: false, lastSeenAt: seen, lastTlsVersion: "TLSv1", lastAuthMethod: "LOGIN" })).toEqual(["old-tls"]);
    expect(weaknesses({ ipOnly: false, lastSeenAt: seen, lastTlsVersion: "none", lastAuthMethod: "LOGIN" })).toEqual(["plaintext-auth"]);
    expect(weaknesses({ ipOnly: true, lastSeenAt: seen, lastTlsVersion: "none", lastAuthMethod: "none (IP)" })).toEqual(["ip-only"]);
    expect(weaknesses({ ipOnly: true, lastSeenAt: null, lastTlsVersion: null, lastAuthMethod: null })).toEqual(["ip-only"]);
    expect(weaknesses({ ipOnly: false, lastSeenAt: null, lastTlsVersion: null, lastAuthMethod: null })).toEqual([]);
  });
});
