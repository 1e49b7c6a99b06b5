import { existsSync, readFileSync } from "node:fs";
import { route } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { relayInfo } from "@/lib/smtp/relay-info";

/**
 * The SMTP relay's CA certificate (PEM), for devices that check the server's certificate — only when the
 * portal generated the relay's certificate (lib/smtp creates it on the relay's first start). Public
 * material, but only for signed-in admins and auditors, like the Devices pages.
 */
export const GET = route({ roles: ["admin", "auditor"] }, async () => {
  const cert = relayInfo().certificate;
  if (cert.kind !== "generated") {
    throw new AppError("RELAY_CA_NOT_GENERATED", {
      userMessage: "The relay uses your own certificate (PORTAL_SMTP_CERT_FILE): devices trust its issuer. There is no portal CA to download.",
      status: 404,
    });
  }
  if (!existsSync(cert.caFile)) {
    throw new AppError("RELAY_CA_NOT_CREATED", {
      userMessage: "The relay has not created its certificate yet: it does so on its first start. Start the portal with the SMTP relay on, then download the CA.",
      status: 404,
    });
  }
  return new Response(readFileSync(cert.caFile, "utf8"), {
    headers: {
      "content-type": "application/x-pem-file",
      "content-disposition": 'attachment; filename="graph-mail-portal-smtp-ca.pem"',
      "cache-control": "no-store",
    },
  });
});
