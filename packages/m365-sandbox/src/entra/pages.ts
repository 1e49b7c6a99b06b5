/**
 * The sandbox's sign-in, consent and error pages: plain HTML, no script, every value escaped with
 * esc(). Built to be used with a keyboard and a screen reader (labels, fieldset/legend, role=alert
 * for errors, visible focus, autofocus on the first thing to do).
 */
import { esc } from "../http";
import type { User } from "../model";

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f2f2f2;color:#1b1b1b;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;margin:0 0 1rem} .tag{font-size:.8rem;color:#505050;margin:0 0 1.5rem}
fieldset{border:0;padding:0;margin:0 0 1rem} legend{font-weight:600;margin-bottom:.5rem}
.choice{display:flex;gap:.5rem;align-items:flex-start;padding:.4rem 0} .choice small{display:block;color:#505050}
label.block{display:block;font-weight:600;margin:.75rem 0 .25rem} input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #666}
button{font-size:1rem;padding:.5rem 1.25rem;margin:1rem .5rem 0 0;border:1px solid #0067b8;background:#0067b8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0067b8} :focus-visible{outline:3px solid #000;outline-offset:2px}
.error{color:#a80000;font-weight:600} ul.perms li{margin:.35rem 0} .note{font-size:.85rem;color:#505050}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} — sandbox tenant</title><style>${STYLE}</style></head><body><main>${body}<p class="note">This is a sandbox tenant (m365-sandbox), a local stand-in for Microsoft Entra ID. Nothing here reaches Microsoft.</p></main></body></html>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
const alertBox = (error?: string) => (error ? `<p class="error" role="alert" id="form-error">${esc(error)}</p>` : "");

export interface SignInPageInput {
  action: string;
  flowId: string;
  appName: string;
  users: User[];
  selected?: string;
  error?: string;
  /** An account already signed in (prompt=select_account offers it without a password). */
  sessionUser?: User;
}

export function signInPage(p: SignInPageInput): string {
  const describedBy = p.error ? ' aria-describedby="form-error"' : "";
  const choices = p.users
    .map((u, i) => {
      const id = `user-${i}`;
      const checked = p.selected ? u.userPrincipalName.toLowerCase() === p.selected.toLowerCase() : i === 0;
      return `<div class="choice"><input type="radio" id="${id}" name="username" value="${esc(u.userPrincipalName)}"${checked ? " checked" : ""}><label for="${id}">${esc(u.displayName)}<small>${esc(u.userPrincipalName)}</small></label></div>`;
    })
    .join("");
  const session = p.sessionUser
    ? `<form method="post" action="${esc(p.action)}">${hidden("flow", p.flowId)}${hidden("action", "continue")}<p>You are signed in as ${esc(p.sessionUser.displayName)} (${esc(p.sessionUser.userPrincipalName)}).</p><button type="submit" autofocus>Continue as ${esc(p.sessionUser.displayName)}</button></form><h2>Use another account</h2>`
    : "";
  const noUsers = p.users.length === 0 ? `<p role="alert">This tenant has no user who can sign in.</p>` : "";
  return layout(
    "Sign in",
    `<h1>Sign in</h1><p class="tag">to continue to ${esc(p.appName)}</p>${session}${alertBox(p.error)}${noUsers}
<form method="post" action="${esc(p.action)}">${hidden("flow", p.flowId)}${hidden("action", "signin")}
<fieldset${describedBy}><legend>Pick an account</legend>${choices}</fieldset>
<label class="block" for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${p.sessionUser ? "" : " autofocus"}${describedBy}>
<button type="submit">Sign in</button></form>`,
  );
}

export interface ConsentPageInput {
  action: string;
  flowId: string;
  appName: string;
  user: User;
  permissions: { name: string; description: string; kind: "delegated" | "application" }[];
  /** Show "Consent on behalf of your organization" (admins only). */
  offerOrgConsent: boolean;
  admin?: boolean;
}

export function consentPage(p: ConsentPageInput): string {
  const list = p.permissions
    .map((x) => `<li><strong>${esc(x.name)}</strong>${x.kind === "application" ? " (application permission)" : ""}: ${esc(x.description)}</li>`)
    .join("");
  const org = p.offerOrgConsent
    ? `<div class="choice"><input type="checkbox" id="consent-org" name="consent_org" value="true"><label for="consent-org">Consent on behalf of your organization</label></div>`
    : "";
  const heading = p.admin ? "Permissions requested — Review for your organization" : "Permissions requested";
  return layout(
    "Permissions requested",
    `<h1>${esc(heading)}</h1><p class="tag">${esc(p.appName)} (unverified) — signed in as ${esc(p.user.userPrincipalName)}</p>
<p>This app would like to:</p><ul class="perms">${list}</ul>
<form method="post" action="${esc(p.action)}">${hidden("flow", p.flowId)}${org}
<p class="note">Accepting lets this app use the data as described. You can change this later in the tenant (sandbox control API).</p>
<button type="submit" name="action" value="accept" autofocus>Accept</button><button type="submit" class="secondary" name="action" value="cancel">Cancel</button></form>`,
  );
}

export function approvalRequiredPage(p: { action: string; flowId: string; appName: string; user: User; detail: string }): string {
  return layout(
    "Need admin approval",
    `<h1>Need admin approval</h1><p class="tag">${esc(p.appName)} — signed in as ${esc(p.user.userPrincipalName)}</p>
<p role="alert">${esc(p.detail)}</p>
<form method="post" action="${esc(p.action)}">${hidden("flow", p.flowId)}<button type="submit" name="action" value="return" autofocus>Return to the application without granting consent</button><button type="submit" class="secondary" name="action" value="other">Sign in with another account</button></form>`,
  );
}

export function errorPage(code: number, message: string, details: Record<string, string> = {}): string {
  const rows = Object.entries(details)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join("");
  return layout(
    "Sign-in error",
    `<h1>Sorry, but we're having trouble signing you in.</h1><p role="alert" class="error">AADSTS${esc(code)}: ${esc(message)}</p>${rows ? `<dl>${rows}</dl>` : ""}`,
  );
}

export function signedOutPage(): string {
  return layout("Signed out", `<h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>`);
}
