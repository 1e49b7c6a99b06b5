import "server-only";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { CREDENTIAL_PURPOSE } from "@/lib/graph/tenant-access";
import { requireAdmin } from "./require-admin";
import { furthest } from "./wizard-data";

export interface GeneratedCertificate {
  certificatePem: string;
  /** Hex SHA-256 of the DER certificate (MSAL's thumbprintSha256). */
  thumbprintSha256: string;
  /** Hex SHA-1, as Entra ID's "Certificates & secrets" page shows it. */
  thumbprintSha1: string;
  notAfter: Date;
}

/**
 * A self-signed RSA 2048 certificate for client credentials: the key pair from node:crypto (native),
 * the X.509 work with node-forge. Pure apart from randomness; the private key is returned as PEM for
 * the caller to encrypt at once.
 */
export function makeClientCertificate(years: 1 | 2, label: string, now = new Date()): GeneratedCertificate & { privateKeyPem: string } {
  const { privateKey: key } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = key.export({ type: "pkcs8", format: "pem" }).toString();
  const priv = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  cert.serialNumber = `1${randomBytes(15).toString("hex")}`; // positive DER integer
  const from = new Date(now.getTime() - 10 * 60 * 1000); // tolerate clock skew
  const to = new Date(from);
  to.setFullYear(to.getFullYear() + years);
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
  const subject = [{ name: "commonName", value: label }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  cert.sign(priv, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
  return {
    certificatePem,
    privateKeyPem,
    thumbprintSha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
    thumbprintSha1: createHash("sha1").update(der).digest("hex").toUpperCase(),
    notAfter: to,
  };
}

/** Step 3 (recommended): the portal makes the certificate and keeps the private key, encrypted. */
export async function generateTenantCertificate(actor: SessionUser, tenantId: string, years: 1 | 2): Promise<GeneratedCertificate> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, clientId: true, wizardStep: true, credentialKind: true } });
  if (!t) throw notFound("That tenant");
  if (!t.clientId) throw new AppError("TENANT_NO_APP", { userMessage: "Enter the app's client ID in the Register step first.", status: 409 });
  const c = makeClientCertificate(years, "Graph Mail Portal");
  await db().tenant.update({
    where: { id: tenantId },
    data: {
      credentialKind: "certificate",
      credentialCipher: encryptSecret(c.privateKeyPem, { purpose: CREDENTIAL_PURPOSE, rowId: tenantId }),
      certificatePem: c.certificatePem,
      certThumbprint: c.thumbprintSha256,
      credentialExpires: c.notAfter,
      wizardStep: furthest(t.wizardStep, "consent"),
    },
  });
  await recordAudit({ actor, action: "tenant.credential-set", target: t.name, tenantId, before: { kind: t.credentialKind }, after: { kind: "certificate", thumbprintSha256: c.thumbprintSha256, expires: c.notAfter.toISOString() } });
  const { certificatePem, thumbprintSha256, thumbprintSha1, notAfter } = c;
  return { certificatePem, thumbprintSha256, thumbprintSha1, notAfter };
}

/** SHA-1 and SHA-256 thumbprints of a stored certificate, for display. */
export function certificateThumbprints(pem: string): { sha1: string; sha256: string; der: Buffer } {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""), "base64");
  return { der, sha1: createHash("sha1").update(der).digest("hex").toUpperCase(), sha256: createHash("sha256").update(der).digest("hex").toUpperCase() };
}
