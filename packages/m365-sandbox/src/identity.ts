/**
 * The demo tenant's stable identity: ids, the client secret and the app certificate are generated
 * once into <dataDir>/identity.json (+ app-cert.pem / app-key.pem) and reused, so a portal that was
 * configured against the sandbox keeps working after the sandbox restarts or resets.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { makeSelfSignedCert, thumbprints, writeFileAtomic } from "./certs";

export interface DemoIdentity {
  tenantId: string;
  domain: string;
  appId: string;
  appObjectId: string;
  spObjectId: string;
  clientSecret: string;
  secretKeyId: string;
  certificatePem: string;
  /** base64url SHA-1 / SHA-256 of the certificate (JWT header x5t / x5t#S256). */
  x5t: string;
  x5tS256: string;
}

/** Where the demo app's certificate credential lives (for endpoints.json and MSAL's clientCertificate). */
export interface DemoIdentityFiles {
  certificateFile: string;
  privateKeyFile: string;
}

/** The demo tenant's verified domain. ".sandbox" is not a public suffix, so it can never be a real tenant. */
export const DEMO_DOMAIN = "contoso.sandbox";

/**
 * A client secret shaped like Entra's (40 characters, "Q~" after the 3-character hint and a digit:
 * unconfirmed format, observed in Azure portal secrets). Alphabet avoids characters that need escaping.
 */
export function newClientSecret(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";
  const pick = (n: number) =>
    Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
  const digits = "0123456789";
  return pick(3) + digits[randomBytes(1)[0]! % 10] + "Q~" + pick(34);
}

function isIdentity(v: unknown): v is DemoIdentity {
  if (!v || typeof v !== "object") return false;
  const keys: (keyof DemoIdentity)[] = ["tenantId", "domain", "appId", "appObjectId", "spObjectId", "clientSecret", "secretKeyId", "certificatePem", "x5t", "x5tS256"];
  return keys.every((k) => typeof (v as Record<string, unknown>)[k] === "string");
}

export function identityFiles(dataDir: string): DemoIdentityFiles {
  return { certificateFile: path.resolve(dataDir, "app-cert.pem"), privateKeyFile: path.resolve(dataDir, "app-key.pem") };
}

/** Loads <dataDir>/identity.json, creating it (and the app certificate) on first use. */
export function ensureDemoIdentity(dataDir: string): DemoIdentity & DemoIdentityFiles {
  mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, "identity.json");
  const files = identityFiles(dataDir);
  if (existsSync(file) && existsSync(files.certificateFile) && existsSync(files.privateKeyFile)) {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (isIdentity(parsed)) return { ...parsed, ...files };
  }
  const cert = makeSelfSignedCert("M365 sandbox demo app");
  const tp = thumbprints(cert.certPem);
  const id: DemoIdentity = {
    tenantId: randomUUID(),
    domain: DEMO_DOMAIN,
    appId: randomUUID(),
    appObjectId: randomUUID(),
    spObjectId: randomUUID(),
    clientSecret: newClientSecret(),
    secretKeyId: randomUUID(),
    certificatePem: cert.certPem,
    x5t: tp.x5t,
    x5tS256: tp.x5tS256,
  };
  writeFileAtomic(files.privateKeyFile, cert.keyPem);
  writeFileAtomic(files.certificateFile, cert.certPem, 0o644);
  writeFileAtomic(file, JSON.stringify(id, null, 2) + "\n");
  return { ...id, ...files };
}
