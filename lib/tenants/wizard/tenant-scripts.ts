import "server-only";
import { env } from "@/lib/env";
import { graphPowerShellRegistration, type RegistrationInput } from "@/lib/powershell/app-registration";
import { azureCliRegistration } from "@/lib/powershell/azure-cli";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, rbacScript, type RestrictionInput } from "@/lib/powershell/exchange-restriction";
import { removeTenantGrantScript } from "@/lib/powershell/remove-tenant-grant";
import { AppError } from "@/lib/errors";
import type { WizardTenant } from "./load-wizard-tenant";

/** Redirect URIs the app must register: computed from the portal's public URL. */
export function portalRedirectUris() {
  const base = env().PORTAL_URL.replace(/\/+$/, "");
  return { signIn: `${base}/api/auth/callback/microsoft`, consent: `${base}/api/setup/consent` };
}

export const APP_DISPLAY_NAME = "Graph Mail Portal";

export function registrationInput(t: WizardTenant, credential: "secret" | "certificate", now = new Date()): RegistrationInput {
  const uris = portalRedirectUris();
  // Microsoft recommends client secrets shorter than 12 months; six months is the portal's default.
  const end = new Date(now.getTime() + 182 * 86_400_000).toISOString().slice(0, 10);
  return {
    displayName: APP_DISPLAY_NAME,
    directoryId: t.directoryId,
    useApplication: t.useApplication,
    useDelegated: t.useDelegated,
    largeAttachments: t.largeAttachments,
    bulkDirectory: t.bulkDirectory,
    messageTrace: t.messageTrace,
    signInRedirectUri: uris.signIn,
    consentRedirectUri: uris.consent,
    credential,
    secretEndDateTime: `${end}T00:00:00Z`,
  };
}

export function certificateBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

export function restrictionInput(t: WizardTenant): RestrictionInput | null {
  const r = t.data.restriction;
  if (!r || !t.clientId) return null;
  return {
    clientId: t.clientId,
    servicePrincipalObjectId: t.data.verify?.servicePrincipalObjectId ?? "<enterprise application object id: Entra ID → Enterprise applications → Graph Mail Portal → Object ID>",
    appDisplayName: t.data.verify?.appDisplayName ?? APP_DISPLAY_NAME,
    mailboxes: r.mailboxes,
    groupAddress: r.groupAddress,
    createGroup: r.createGroup,
    scopeName: r.scopeName,
    largeAttachments: t.largeAttachments,
    ...(r.outsideMailbox ? { outsideMailbox: r.outsideMailbox } : {}),
  };
}

export type ScriptKind = "register-ps" | "register-az" | "certificate" | "policy" | "rbac" | "remove-grant";

export const SCRIPT_KINDS: readonly ScriptKind[] = ["register-ps", "register-az", "certificate", "policy", "rbac", "remove-grant"];

export interface ScriptFile { text: string; filename: string; language: "powershell" | "bash" }

/** One generated script for a tenant, or an explanation of what step must come first. */
export function tenantScript(t: WizardTenant, kind: ScriptKind): ScriptFile {
  const credential = t.credentialKind === "secret" || t.credentialKind === "certificate" ? t.credentialKind : (t.data.plannedCredential ?? "certificate");
  switch (kind) {
    case "register-ps":
      return { text: graphPowerShellRegistration(registrationInput(t, credential)), filename: "register-graph-mail-portal.ps1", language: "powershell" };
    case "register-az":
      return { text: azureCliRegistration(registrationInput(t, credential)), filename: "register-graph-mail-portal.sh", language: "bash" };
    case "certificate": {
      if (!t.clientId || !t.certificatePem) throw needs("a registered app and a generated certificate");
      const text = certificateUploadScript({ directoryId: t.directoryId, clientId: t.clientId, certificateBase64: certificateBase64(t.certificatePem), displayName: `${APP_DISPLAY_NAME} certificate` });
      return { text, filename: "add-certificate.ps1", language: "powershell" };
    }
    case "remove-grant": {
      if (!t.clientId) throw needs("a registered app (Register step)");
      const text = removeTenantGrantScript({ directoryId: t.directoryId, clientId: t.clientId, appDisplayName: t.data.verify?.appDisplayName ?? APP_DISPLAY_NAME });
      return { text, filename: "remove-tenant-wide-grant.ps1", language: "powershell" };
    }
    case "policy":
    case "rbac": {
      const input = restrictionInput(t);
      if (!input) throw needs("the mailboxes to restrict to (Restrict step)");
      if (kind === "policy" && !input.groupAddress) throw needs("the mail-enabled security group for the access policy (Restrict step)");
      return kind === "policy"
        ? { text: accessPolicyScript(input), filename: "restrict-application-access-policy.ps1", language: "powershell" }
        : { text: rbacScript(input), filename: "restrict-rbac-for-applications.ps1", language: "powershell" };
    }
  }
}

const needs = (what: string) => new AppError("WIZARD_STEP_MISSING", { userMessage: `This script needs ${what} first.`, status: 409 });
