import "server-only";
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import forge from "node-forge";
import type { RelayInfo } from "./relay-info";

/**
 * The relay's TLS certificate: the admin's own (PORTAL_SMTP_CERT_FILE/KEY_FILE), or one the portal makes
 * on first start under PORTAL_DATA_DIR/smtp — a CA of its own (ca.pem, which devices that check
 * certificates import; the Devices page offers it for download) and a server certificate it signs for
 * the relay's host name, localhost and 127.0.0.1/::1. The server certificate is made again when it is
 * about to expire or no longer names the host name; the CA stays, so devices keep trusting it.
 * Keys come from node:crypto (native, fast); node-forge does the X.509 work. Files are written
 * atomically (several portal processes may start at once), keys readable by the portal's user only.
 */
export interface RelayCertificate {
  key: string;
  cert: string;
  /** The generated CA (null for the admin's certificate). */
  caFile: string | null;
}

const YEAR_MS = 365 * 24 * 3600_000;

function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

const newKeyPem = () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
// A positive 16-byte serial (a leading nibble below 8 keeps the DER integer positive).
const serial = () => "1" + randomBytes(15).toString("hex");

function keys(keyPem: string) {
  const privateKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
}

function validFor(cert: forge.pki.Certificate, ms: number): void {
  const from = new Date(Date.now() - 3600_000); // an hour back: devices with a skewed clock
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + ms);
}

function makeCa(hostname: string): { certPem: string; keyPem: string } {
  const keyPem = newKeyPem();
  const { privateKey, publicKey } = keys(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validFor(cert, 20 * YEAR_MS);
  const subject = [
    { name: "commonName", value: `Graph Mail Portal relay CA (${hostname})`.slice(0, 64) },
    { name: "organizationName", value: "Graph Mail Portal" },
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

function makeServerCert(hostname: string, caPem: string, caKeyPem: string): { certPem: string; keyPem: string } {
  const keyPem = newKeyPem();
  const ca = forge.pki.certificateFromPem(caPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys(keyPem).publicKey;
  cert.serialNumber = serial();
  // 825 days: the longest lifetime some clients accept for a server certificate signed by a private CA.
  validFor(cert, 825 * 24 * 3600_000);
  cert.setSubject([{ name: "commonName", value: hostname.slice(0, 64) }]);
  cert.setIssuer(ca.subject.attributes);
  const names = [...new Set([hostname, "localhost", "127.0.0.1", "::1"])];
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Still good for a month, signed by this CA, and naming the host name devices connect to. */
function usable(certPem: string, caPem: string, hostname: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const names = isIP(hostname) ? cert.checkIP(hostname) : cert.checkHost(hostname);
    return cert.verify(new X509Certificate(caPem).publicKey) && new Date(cert.validTo).getTime() > Date.now() + 30 * 24 * 3600_000 && !!names;
  } catch {
    return false;
  }
}

export function relayCertificate(info: RelayInfo): RelayCertificate {
  const c = info.certificate;
  if (c.kind === "provided") return { key: readFileSync(c.keyFile, "utf8"), cert: readFileSync(c.certFile, "utf8"), caFile: null };
  mkdirSync(c.dir, { recursive: true, mode: 0o700 });
  const caKeyFile = path.join(c.dir, "ca-key.pem");
  if (!existsSync(c.caFile) || !existsSync(caKeyFile)) {
    const ca = makeCa(info.hostname);
    writeAtomic(caKeyFile, ca.keyPem, 0o600);
    writeAtomic(c.caFile, ca.certPem, 0o644);
  }
  const caPem = readFileSync(c.caFile, "utf8");
  if (!existsSync(c.certFile) || !existsSync(c.keyFile) || !usable(readFileSync(c.certFile, "utf8"), caPem, info.hostname)) {
    const server = makeServerCert(info.hostname, caPem, readFileSync(caKeyFile, "utf8"));
    writeAtomic(c.keyFile, server.keyPem, 0o600);
    writeAtomic(c.certFile, server.certPem, 0o644);
  }
  return { key: readFileSync(c.keyFile, "utf8"), cert: readFileSync(c.certFile, "utf8"), caFile: c.caFile };
}
