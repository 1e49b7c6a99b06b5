/**
 * The sandbox's own PKI, made on first start and kept in dataDir so that a CA a user trusted once
 * (NODE_EXTRA_CA_CERTS, browser import) keeps working across restarts:
 *   ca.pem / ca-key.pem          the sandbox root CA (node-forge, 10 years)
 *   server.pem / server-key.pem  TLS certificate for localhost, 127.0.0.1 and ::1, issued by the CA
 *   signing-key.pem              Entra's RS256 token signing key (published at …/discovery/v2.0/keys)
 * Keys are generated with node:crypto (native, fast) and wrapped by node-forge for the X.509 work.
 * Files are written to a temp name and renamed, so parallel readers never see half a file.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import forge from "node-forge";

export interface SandboxCerts {
  caFile: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  signingKey: KeyObject;
}

export const CA_FILE = "ca.pem";

/** Write atomically: other processes (parallel test workers) may read the file at the same time. */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

export function newRsaKeyPem(bits = 2048): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function serial(): string {
  // Positive 16-byte serial (leading nibble < 8 keeps the DER integer positive).
  return "1" + randomBytes(15).toString("hex");
}

function forgeKeys(keyPem: string): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const privateKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { privateKey, publicKey };
}

function validity(cert: forge.pki.Certificate, years: number): void {
  const from = new Date(Date.now() - 60 * 60 * 1000); // an hour back: tolerate clock skew
  const to = new Date(from);
  to.setFullYear(to.getFullYear() + years);
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
}

function makeCa(): { certPem: string; keyPem: string } {
  const keyPem = newRsaKeyPem(2048);
  const { privateKey, publicKey } = forgeKeys(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validity(cert, 10);
  const subject = [
    { name: "commonName", value: "M365 Sandbox CA" },
    { name: "organizationName", value: "m365-sandbox (local, not Microsoft)" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function makeServerCert(caCertPem: string, caKeyPem: string): { certPem: string; keyPem: string } {
  const keyPem = newRsaKeyPem(2048);
  const { publicKey } = forgeKeys(keyPem);
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const caKey = forge.pki.privateKeyFromPem(caKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  // 825 days is the longest lifetime Apple platforms accept for a TLS server certificate.
  validity(cert, 2);
  cert.setSubject([{ name: "commonName", value: "localhost" }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function serverCertUsable(caPem: string, certPem: string): boolean {
  try {
    const ca = forge.pki.certificateFromPem(caPem);
    const cert = forge.pki.certificateFromPem(certPem);
    const soon = Date.now() + 7 * 24 * 3600 * 1000;
    return ca.verify(cert) && cert.validity.notAfter.getTime() > soon;
  } catch {
    return false;
  }
}

/** Creates whatever is missing in dataDir and returns the sandbox's certificates and keys. */
export function ensureCerts(dataDir: string): SandboxCerts {
  mkdirSync(dataDir, { recursive: true });
  const f = (name: string) => path.resolve(dataDir, name);
  let caNew = false;
  if (!existsSync(f("ca.pem")) || !existsSync(f("ca-key.pem"))) {
    const ca = makeCa();
    writeFileAtomic(f("ca-key.pem"), ca.keyPem);
    writeFileAtomic(f("ca.pem"), ca.certPem, 0o644);
    caNew = true;
  }
  const caPem = readFileSync(f("ca.pem"), "utf8");
  const haveServer = existsSync(f("server.pem")) && existsSync(f("server-key.pem"));
  if (caNew || !haveServer || !serverCertUsable(caPem, readFileSync(f("server.pem"), "utf8"))) {
    const server = makeServerCert(caPem, readFileSync(f("ca-key.pem"), "utf8"));
    writeFileAtomic(f("server-key.pem"), server.keyPem);
    writeFileAtomic(f("server.pem"), server.certPem, 0o644);
  }
  if (!existsSync(f("signing-key.pem"))) writeFileAtomic(f("signing-key.pem"), newRsaKeyPem(2048));
  return {
    caFile: f("ca.pem"),
    caPem,
    serverCertPem: readFileSync(f("server.pem"), "utf8"),
    serverKeyPem: readFileSync(f("server-key.pem"), "utf8"),
    signingKey: createPrivateKey(readFileSync(f("signing-key.pem"), "utf8")),
  };
}

/** A self-signed client certificate, like `New-SelfSignedCertificate` makes for an app registration. */
export function makeSelfSignedCert(commonName: string, years = 2): { certPem: string; keyPem: string } {
  const keyPem = newRsaKeyPem(2048);
  const { privateKey, publicKey } = forgeKeys(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validity(cert, years);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer([{ name: "commonName", value: commonName }]);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", clientAuth: true, serverAuth: true },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** DER bytes of the first certificate in a PEM string. */
export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m?.[1]) throw new Error("not a PEM certificate");
  return Buffer.from(m[1].replace(/\s+/g, ""), "base64");
}

/** Thumbprints as Entra and MSAL use them: hex (portal, MSAL config) and base64url (x5t, x5t#S256). */
export function thumbprints(pem: string): { sha1Hex: string; sha256Hex: string; x5t: string; x5tS256: string } {
  const der = pemToDer(pem);
  const sha1 = createHash("sha1").update(der).digest();
  const sha256 = createHash("sha256").update(der).digest();
  return {
    sha1Hex: sha1.toString("hex").toUpperCase(),
    sha256Hex: sha256.toString("hex").toUpperCase(),
    x5t: sha1.toString("base64url"),
    x5tS256: sha256.toString("base64url"),
  };
}

export function certValidity(pem: string): { notBefore: Date; notAfter: Date } {
  const c = forge.pki.certificateFromPem(pem);
  return { notBefore: c.validity.notBefore, notAfter: c.validity.notAfter };
}
