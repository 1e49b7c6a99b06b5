import "server-only";
import path from "node:path";
import { env } from "../env";

/**
 * Where the SMTP relay listens and how devices connect, read from the environment (lib/env.ts): the
 * Devices page's "connection settings for your printer" card and the relay itself (lib/smtp) use this one
 * description, so the card never disagrees with the listener.
 */
export interface RelayInfo {
  enabled: boolean;
  /** The name devices connect to and the certificate is issued for. */
  hostname: string;
  bind: string;
  /** STARTTLS (and, for allow-listed legacy devices, plaintext) listener. */
  port: number;
  /** Implicit TLS listener (SMTPS, usually 465), or null when not configured. */
  implicitTlsPort: number | null;
  minTls: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  ciphers: string | null;
  maxMessageBytes: number;
  /** The admin's own certificate, or one the portal generated (its CA can be downloaded for devices that check). */
  certificate: { kind: "provided"; certFile: string; keyFile: string } | { kind: "generated"; dir: string; caFile: string; certFile: string; keyFile: string };
}

export function relayInfo(): RelayInfo {
  const e = env();
  const dir = path.resolve(e.PORTAL_DATA_DIR, "smtp");
  return {
    enabled: e.PORTAL_SMTP_PORT > 0,
    hostname: e.PORTAL_SMTP_HOSTNAME ?? new URL(e.PORTAL_URL).hostname,
    bind: e.PORTAL_SMTP_BIND,
    port: e.PORTAL_SMTP_PORT,
    implicitTlsPort: e.PORTAL_SMTP_TLS_PORT ?? null,
    minTls: e.PORTAL_SMTP_MIN_TLS,
    ciphers: e.PORTAL_SMTP_CIPHERS ?? null,
    maxMessageBytes: e.PORTAL_SMTP_MAX_MESSAGE_MB * 1024 * 1024,
    certificate:
      e.PORTAL_SMTP_CERT_FILE && e.PORTAL_SMTP_KEY_FILE
        ? { kind: "provided", certFile: path.resolve(e.PORTAL_SMTP_CERT_FILE), keyFile: path.resolve(e.PORTAL_SMTP_KEY_FILE) }
        : { kind: "generated", dir, caFile: path.join(dir, "ca.pem"), certFile: path.join(dir, "server.pem"), keyFile: path.join(dir, "server-key.pem") },
  };
}
