/**
 * Microsoft Graph PowerShell cmdlets the portal's registration scripts use, acting on the sandbox
 * directory (GRAPH-FACTS §8): Connect-MgGraph, Get-MgServicePrincipal, New-MgApplication,
 * New-MgServicePrincipal, New-MgServicePrincipalAppRoleAssignedTo, Add-MgApplicationPassword,
 * Get-MgApplication, Update-MgApplication (keyCredentials), Remove-MgApplicationPassword, and for taking a tenant-wide application
 * permission away again: Get-MgServicePrincipalAppRoleAssignment, Remove-MgServicePrincipalAppRoleAssignment. Graph's error codes and messages are
 * Microsoft's where known (graph/api/*); the sandbox's own wording is marked.
 */
import { randomUUID } from "node:crypto";
import { findApp, findServicePrincipal, findTenant } from "../entra/directory";
import { GRAPH_APP_ROLES, GRAPH_SCOPE_IDS } from "../entra/scopes";
import { addCertificate, addSecret } from "../entra/seed-input";
import { GRAPH_APP_ID, type AppRegistration } from "../model";
import { stableGuid } from "../seed";
import { checkKeys, type Cmdlet } from "./binding";
import { PSError } from "./errors";
import type { Session } from "./session";
import { PSHash, PSObject, toText, type PSValue } from "./values";

const graphError = (cmd: string, code: string, message: string, status = 400) =>
  new PSError(`${message}\r\n\r\nStatus: ${status} (${status === 404 ? "NotFound" : status === 409 ? "Conflict" : "BadRequest"})\r\nErrorCode: ${code}`, {
    category: status === 404 ? "ObjectNotFound" : "InvalidOperation",
    exceptionType: "Exception",
    errorId: `${code},Microsoft.Graph.PowerShell.Cmdlets.${cmd.replace(/-/g, "_")}`,
  });

function requireGraph(s: Session): void {
  if (!s.graphConnected) {
    throw new PSError("Authentication needed. Please call Connect-MgGraph.", { category: "NotSpecified", exceptionType: "AuthenticationException", errorId: "Microsoft.Graph.PowerShell.AuthenticationException" });
  }
}

/** Graph's own service principal in a tenant (the sandbox has none stored: a stable id stands in). */
export const graphSpId = (tenantId: string) => stableGuid(tenantId, "sp:microsoft-graph");

/**
 * The application as Get-MgApplication prints it, with its credentials as Graph lists them
 * (graph/api/resources/passwordcredential: secretText is never returned after creation, only the
 * three-character hint; keyCredential's key is not returned by a plain GET).
 */
const appView = (a: AppRegistration) =>
  new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphApplication", {
    DisplayName: a.displayName, Id: a.id, AppId: a.appId, SignInAudience: a.signInAudience, PublisherDomain: null,
    PasswordCredentials: a.secrets.map((x) => new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordCredential", { CustomKeyIdentifier: null, DisplayName: x.displayName ?? null, EndDateTime: x.endDateTime, Hint: x.hint, KeyId: x.keyId, SecretText: null, StartDateTime: x.startDateTime })),
    KeyCredentials: a.certificates.map((c) => new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential", { CustomKeyIdentifier: c.x5t, DisplayName: c.displayName ?? null, EndDateTime: c.endDateTime, Key: null, KeyId: c.keyId, StartDateTime: c.startDateTime, Type: "AsymmetricX509Cert", Usage: "Verify" })),
  });

/** "appId eq '<guid>'" — the only filter the generators use. */
function appIdFilter(cmd: string, filter: string): string {
  const m = /^\s*appId\s+eq\s+'([0-9a-f-]{36})'\s*$/i.exec(filter);
  if (!m) throw graphError(cmd, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'appId' of resource 'ServicePrincipal'.");
  return m[1]!.toLowerCase();
}

function appByObjectId(s: Session, cmd: string, id: string): AppRegistration {
  const app = [...s.ctx.store.apps.values()].find((a) => a.id.toLowerCase() === id.toLowerCase() && a.tenantId === s.tenantId);
  if (!app) throw graphError(cmd, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, 404);
  return app;
}

/** The app role assignment as Graph PowerShell prints it (graph/api/resources/approleassignment). */
function assignmentView(s: Session, g: { id: string; appRoleId: string; principalId: string }, createdDateTime?: string): PSObject {
  const sp = s.ctx.store.servicePrincipals.get(g.principalId);
  return new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphAppRoleAssignment", {
    Id: g.id, AppRoleId: g.appRoleId, CreatedDateTime: createdDateTime ?? null, PrincipalDisplayName: sp?.displayName ?? null, PrincipalId: g.principalId,
    PrincipalType: "ServicePrincipal", ResourceDisplayName: "Microsoft Graph", ResourceId: graphSpId(s.tenantId),
  });
}

/** A mandatory id bound to $null (an earlier lookup found nothing): PowerShell's binding error. */
function requireValue(name: string, v: unknown): string {
  if (v === null || v === undefined || v === "") {
    throw new PSError(`Cannot bind argument to parameter '${name}' because it is an empty string.`, { category: "InvalidData", exceptionType: "ParameterBindingValidationException", errorId: "ParameterArgumentValidationErrorEmptyStringNotAllowed" });
  }
  return String(v);
}

export const GRAPH_CMDLETS: Cmdlet[] = [
  {
    name: "Connect-MgGraph", module: "core",
    params: { TenantId: { type: "string" }, Scopes: { type: "string[]", position: 0 }, NoWelcome: { type: "switch" }, ClientId: { type: "string" }, UseDeviceCode: { type: "switch" }, ContextScope: { type: "enum", values: ["Process", "CurrentUser"] } },
    run(s, a) {
      if (a.TenantId) {
        const t = findTenant(s.ctx.store, String(a.TenantId));
        if (!t) throw new PSError(`AADSTS90002: Tenant '${toText(a.TenantId)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, { category: "NotSpecified", exceptionType: "AuthenticationFailedException", errorId: "Microsoft.Graph.PowerShell.Authentication.Cmdlets.ConnectMgGraph" });
        s.tenantId = t.id;
      }
      s.graphConnected = true;
      if (!a.NoWelcome) s.out.push("Welcome to Microsoft Graph!", "", "Connected via delegated access using the sandbox's signed-in administrator", "");
    },
  },
  {
    name: "Get-MgServicePrincipal", module: "graph",
    params: { Filter: { type: "string" }, ServicePrincipalId: { type: "string" }, All: { type: "switch" } },
    run(s, a) {
      requireGraph(s);
      const appId = a.Filter ? appIdFilter("Get-MgServicePrincipal", String(a.Filter)) : null;
      if (appId === GRAPH_APP_ID || a.ServicePrincipalId === graphSpId(s.tenantId)) {
        return new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphServicePrincipal", { DisplayName: "Microsoft Graph", Id: graphSpId(s.tenantId), AppId: GRAPH_APP_ID, SignInAudience: "AzureADMultipleOrgs" });
      }
      const sps = [...s.ctx.store.servicePrincipals.values()].filter((sp) => sp.tenantId === s.tenantId && (appId ? sp.appId.toLowerCase() === appId : a.ServicePrincipalId ? sp.id === a.ServicePrincipalId : true));
      const view = sps.map((sp) => new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphServicePrincipal", { DisplayName: sp.displayName, Id: sp.id, AppId: sp.appId }));
      return view.length === 1 ? view[0]! : view;
    },
  },
  {
    name: "New-MgApplication", module: "graph",
    params: { DisplayName: { type: "string" }, SignInAudience: { type: "string" }, Web: { type: "hashtable" }, RequiredResourceAccess: { type: "hashtable[]" }, Description: { type: "string" }, Notes: { type: "string" }, KeyCredentials: { type: "hashtable[]" } },
    run(s, a) {
      requireGraph(s);
      if (!a.DisplayName) throw graphError("New-MgApplication", "Request_BadRequest", "Property 'displayName' is required.");
      const audience = String(a.SignInAudience ?? "AzureADMyOrg");
      if (audience !== "AzureADMyOrg" && audience !== "AzureADMultipleOrgs") throw graphError("New-MgApplication", "Request_BadRequest", `Invalid value specified for property 'signInAudience' of resource 'Application'.`);
      let redirectUris: string[] = [];
      if (a.Web instanceof PSHash) {
        checkKeys("Web", "Microsoft.Graph.PowerShell.Models.MicrosoftGraphWebApplication", a.Web, ["RedirectUris", "HomePageUrl", "LogoutUrl", "ImplicitGrantSettings", "RedirectUriSettings"]);
        const r = a.Web.get("RedirectUris");
        redirectUris = (Array.isArray(r) ? r : r === undefined || r === null ? [] : [r]).map(toText);
        for (const u of redirectUris) if (!URL.canParse(u) || !/^https:|^http:\/\/localhost[:/]|^http:\/\/127\.0\.0\.1[:/]/.test(u)) throw graphError("New-MgApplication", "Request_BadRequest", `Invalid value specified for property 'web.redirectUris' of resource 'Application'.`);
      }
      const rra = ((a.RequiredResourceAccess as PSValue[] | undefined) ?? []).map((h) => {
        const x = h as PSHash;
        checkKeys("RequiredResourceAccess", "Microsoft.Graph.PowerShell.Models.MicrosoftGraphRequiredResourceAccess", x, ["ResourceAppId", "ResourceAccess"]);
        const resourceAppId = toText(x.get("ResourceAppId") ?? null).toLowerCase();
        const list = x.get("ResourceAccess");
        const items = (Array.isArray(list) ? list : list ? [list] : []).map((ra) => {
          if (!(ra instanceof PSHash)) throw graphError("New-MgApplication", "Request_BadRequest", "Invalid value specified for property 'resourceAccess' of resource 'Application'.");
          checkKeys("RequiredResourceAccess", "Microsoft.Graph.PowerShell.Models.MicrosoftGraphResourceAccess", ra, ["Id", "Type"]);
          const id = toText(ra.get("Id") ?? null).toLowerCase();
          const type = toText(ra.get("Type") ?? null);
          const known = type === "Role" ? Object.values(GRAPH_APP_ROLES).includes(id) : type === "Scope" ? Object.values(GRAPH_SCOPE_IDS).includes(id) : false;
          // Graph refuses a permission id its resource does not define (sandbox wording).
          if (resourceAppId !== GRAPH_APP_ID || !known) throw graphError("New-MgApplication", "Request_BadRequest", `Invalid value specified for property 'resourceAccess' of resource 'Application': '${id}' (${type}) is not a permission of resource '${resourceAppId}'.`);
          return { id, type: type as "Role" | "Scope" };
        });
        return { resourceAppId, resourceAccess: items };
      });
      const app: AppRegistration = {
        appId: randomUUID(), id: randomUUID(), tenantId: s.tenantId, displayName: toText(a.DisplayName), signInAudience: audience as AppRegistration["signInAudience"],
        redirectUris, requiredResourceAccess: rra, secrets: [], certificates: [], createdDateTime: new Date(s.ctx.clock.now()).toISOString(),
      };
      s.ctx.store.apps.set(app.appId, app);
      return appView(app);
    },
  },
  {
    name: "New-MgServicePrincipal", module: "graph",
    params: { AppId: { type: "string" }, DisplayName: { type: "string" }, Tags: { type: "string[]" } },
    run(s, a) {
      requireGraph(s);
      const app = a.AppId ? findApp(s.ctx.store, String(a.AppId)) : undefined;
      if (!app) throw graphError("New-MgServicePrincipal", "Request_BadRequest", `The appId '${toText(a.AppId ?? null)}' of the service principal does not reference a valid application object.`);
      if (findServicePrincipal(s.ctx.store, s.tenantId, app.appId)) {
        throw graphError("New-MgServicePrincipal", "Request_MultipleObjectsWithSameKeyValue", "The service principal cannot be created, updated, or restored because the service principal name " + app.appId + " is already in use.", 409);
      }
      const sp = { id: randomUUID(), appId: app.appId, tenantId: s.tenantId, displayName: app.displayName };
      s.ctx.store.servicePrincipals.set(sp.id, sp);
      return new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphServicePrincipal", { DisplayName: sp.displayName, Id: sp.id, AppId: sp.appId, SignInAudience: app.signInAudience });
    },
  },
  {
    name: "New-MgServicePrincipalAppRoleAssignedTo", module: "graph",
    params: { ServicePrincipalId: { type: "string", mandatory: true }, PrincipalId: { type: "string" }, ResourceId: { type: "string" }, AppRoleId: { type: "string" } },
    run(s, a) {
      requireGraph(s);
      const graphSp = graphSpId(s.tenantId);
      const cmd = "New-MgServicePrincipalAppRoleAssignedTo";
      if (String(a.ServicePrincipalId) !== graphSp || String(a.ResourceId ?? "") !== graphSp) {
        throw graphError(cmd, "Request_BadRequest", "Permission being assigned was not found on application: the resource must be Microsoft Graph's service principal (sandbox wording).");
      }
      const sp = s.ctx.store.servicePrincipals.get(String(a.PrincipalId ?? ""));
      if (!sp || sp.tenantId !== s.tenantId) throw graphError(cmd, "Request_ResourceNotFound", `Resource '${toText(a.PrincipalId ?? null)}' does not exist or one of its queried reference-property objects are not present.`, 404);
      const roleId = String(a.AppRoleId ?? "").toLowerCase();
      const value = Object.entries(GRAPH_APP_ROLES).find(([, id]) => id === roleId)?.[0];
      if (!value) throw graphError(cmd, "Request_BadRequest", "Permission being assigned was not found on application");
      const store = s.ctx.store;
      const exists = store.appRoleGrants.some((g) => g.tenantId === s.tenantId && g.principalId === sp.id && g.appRoleId === roleId);
      if (exists) throw graphError(cmd, "Request_BadRequest", "Permission being assigned already exists on the object", 409);
      const grant = { id: randomUUID(), tenantId: s.tenantId, principalId: sp.id, appId: sp.appId, value, appRoleId: roleId };
      store.appRoleGrants.push(grant);
      return new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphAppRoleAssignment", {
        Id: grant.id, AppRoleId: roleId, CreatedDateTime: new Date(s.ctx.clock.now()).toISOString(), PrincipalDisplayName: sp.displayName, PrincipalId: sp.id, PrincipalType: "ServicePrincipal", ResourceDisplayName: "Microsoft Graph", ResourceId: graphSp,
      });
    },
  },
  {
    name: "Add-MgApplicationPassword", module: "graph",
    params: { ApplicationId: { type: "string", mandatory: true }, PasswordCredential: { type: "hashtable" } },
    run(s, a) {
      requireGraph(s);
      const app = appByObjectId(s, "Add-MgApplicationPassword", String(a.ApplicationId));
      const pc = (a.PasswordCredential as PSHash | undefined) ?? new PSHash();
      checkKeys("PasswordCredential", "Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordCredential", pc, ["DisplayName", "EndDateTime", "StartDateTime", "CustomKeyIdentifier", "KeyId", "Hint", "SecretText"]);
      const body: Record<string, unknown> = {};
      for (const k of ["displayName", "endDateTime", "startDateTime"]) if (pc.has(k)) body[k] = toText(pc.get(k)!);
      const secret = addSecret(s.ctx, app, body, "passwordCredential");
      return new PSObject("Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordCredential", { CustomKeyIdentifier: null, DisplayName: secret.displayName ?? null, EndDateTime: secret.endDateTime, Hint: secret.hint, KeyId: secret.keyId, SecretText: secret.secretText, StartDateTime: secret.startDateTime });
    },
  },
  {
    // graph/api/application-removepassword: removes one client secret by its keyId. A token request with
    // that secret then fails with AADSTS7000215, as for any unknown secret (tokens already issued stay
    // valid until they expire: Entra does not revoke access tokens).
    name: "Remove-MgApplicationPassword", module: "graph", shouldProcess: { target: (a) => toText(a.KeyId ?? null) },
    params: { ApplicationId: { type: "string", mandatory: true }, KeyId: { type: "string", mandatory: true }, PassThru: { type: "switch" } },
    run(s, a) {
      requireGraph(s);
      const cmd = "Remove-MgApplicationPassword";
      const app = appByObjectId(s, cmd, requireValue("ApplicationId", a.ApplicationId));
      const keyId = requireValue("KeyId", a.KeyId).toLowerCase();
      const at = app.secrets.findIndex((x) => x.keyId.toLowerCase() === keyId);
      // Graph answers 400 for a keyId the application does not hold; the exact wording is unconfirmed.
      if (at < 0) throw graphError(cmd, "Request_BadRequest", `No password credential found with keyId '${keyId}'.`);
      app.secrets.splice(at, 1);
      return a.PassThru === true ? true : undefined;
    },
  },
  {
    name: "Get-MgApplication", module: "graph",
    params: { Filter: { type: "string" }, ApplicationId: { type: "string" }, All: { type: "switch" } },
    run(s, a) {
      requireGraph(s);
      if (a.ApplicationId) return appView(appByObjectId(s, "Get-MgApplication", String(a.ApplicationId)));
      const appId = a.Filter ? appIdFilter("Get-MgApplication", String(a.Filter)) : null;
      const apps = [...s.ctx.store.apps.values()].filter((x) => x.tenantId === s.tenantId && (!appId || x.appId.toLowerCase() === appId)).map(appView);
      return apps.length === 1 ? apps[0]! : apps;
    },
  },
  {
    name: "Update-MgApplication", module: "graph",
    params: { ApplicationId: { type: "string", mandatory: true }, KeyCredentials: { type: "hashtable[]" }, DisplayName: { type: "string" } },
    run(s, a) {
      requireGraph(s);
      const app = appByObjectId(s, "Update-MgApplication", String(a.ApplicationId));
      if (a.DisplayName) app.displayName = toText(a.DisplayName);
      if (a.KeyCredentials) {
        const certs = (a.KeyCredentials as PSHash[]).map((kc) => {
          checkKeys("KeyCredentials", "Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential", kc, ["Type", "Usage", "Key", "DisplayName", "StartDateTime", "EndDateTime", "KeyId", "CustomKeyIdentifier"]);
          const key = kc.get("Key");
          if (toText(kc.get("Type") ?? null) !== "AsymmetricX509Cert" || toText(kc.get("Usage") ?? null) !== "Verify" || !(key instanceof Uint8Array)) {
            throw graphError("Update-MgApplication", "Request_BadRequest", "Invalid value specified for property 'keyCredentials' of resource 'Application'.");
          }
          const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(key).toString("base64").replace(/(.{64})/g, "$1\n").trim()}\n-----END CERTIFICATE-----\n`;
          return { pem, ...(kc.has("DisplayName") ? { displayName: toText(kc.get("DisplayName")!) } : {}) };
        });
        // PATCH keyCredentials replaces the whole collection, as Graph does.
        const before = app.certificates;
        app.certificates = [];
        try {
          for (const c of certs) addCertificate(s.ctx, app, c, "keyCredentials");
        } catch {
          app.certificates = before;
          throw graphError("Update-MgApplication", "Request_BadRequest", "Invalid value specified for property 'keyCredentials' of resource 'Application': the key is not an X.509 certificate.");
        }
      }
    },
  },
  {
    // graph/api/serviceprincipal-list-approleassignments: the app roles granted TO this service principal
    // (its application permissions, each an appRoleAssignment), as Get-MgServicePrincipalAppRoleAssignment lists them.
    name: "Get-MgServicePrincipalAppRoleAssignment", module: "graph",
    params: { ServicePrincipalId: { type: "string", mandatory: true }, All: { type: "switch" }, Top: { type: "string" } },
    run(s, a) {
      requireGraph(s);
      const id = requireValue("ServicePrincipalId", a.ServicePrincipalId);
      const sp = s.ctx.store.servicePrincipals.get(id);
      if (!sp || sp.tenantId !== s.tenantId) throw graphError("Get-MgServicePrincipalAppRoleAssignment", "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, 404);
      const list = s.ctx.store.appRoleGrants.filter((g) => g.tenantId === s.tenantId && g.principalId === sp.id).map((g) => assignmentView(s, g));
      return list.length === 0 ? null : list.length === 1 ? list[0]! : list;
    },
  },
  {
    // graph/api/serviceprincipal-delete-approleassignments: removes the grant; the next token the app gets
    // no longer carries the role (and no `roles` claim at all once none is left: tokens.ts).
    name: "Remove-MgServicePrincipalAppRoleAssignment", module: "graph", shouldProcess: { target: (a) => toText(a.AppRoleAssignmentId ?? null) },
    params: { ServicePrincipalId: { type: "string", mandatory: true }, AppRoleAssignmentId: { type: "string", mandatory: true }, PassThru: { type: "switch" } },
    run(s, a) {
      requireGraph(s);
      const cmd = "Remove-MgServicePrincipalAppRoleAssignment";
      const spId = requireValue("ServicePrincipalId", a.ServicePrincipalId);
      const id = requireValue("AppRoleAssignmentId", a.AppRoleAssignmentId);
      const store = s.ctx.store;
      const at = store.appRoleGrants.findIndex((g) => g.tenantId === s.tenantId && g.principalId === spId && g.id === id);
      if (at < 0) throw graphError(cmd, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, 404);
      store.appRoleGrants.splice(at, 1);
      return a.PassThru === true ? true : undefined;
    },
  },
];
