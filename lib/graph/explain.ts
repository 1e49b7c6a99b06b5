/**
 * Microsoft's errors in plain words: what happened and what to do. Keyed on Graph `code` and the
 * AADSTS number, never on `message` (graph/errors; shared/GRAPH-FACTS.md §3 and §5). Pure and
 * browser-safe, so the compose page, the history detail and the wizard share one explanation.
 */
export interface ErrorFacts {
  httpStatus?: number | null;
  graphCode?: string | null;
  message?: string | null;
  /** AADSTS error number from Entra ID (MSAL's errorNo). */
  aadsts?: number | null;
  /** OAuth error (invalid_client, invalid_grant, …) when there is no number. */
  oauthError?: string | null;
  sender?: string | null;
  /** The mail-enabled security group / RBAC scope that restricts the app, when known. */
  restriction?: string | null;
  retryAfterSeconds?: number | null;
}

export interface Explanation {
  title: string;
  detail: string;
  action: string;
  /** Worth retrying later without changing anything. */
  transient: boolean;
}

const e = (title: string, detail: string, action: string, transient = false): Explanation => ({ title, detail, action, transient });

const AADSTS: Record<number, (f: ErrorFacts) => Explanation> = {
  7000215: () => e("The client secret is wrong", "Entra ID refused the app's client secret (AADSTS7000215). It was mistyped, or you pasted the secret's ID instead of its value.", "Create a new client secret in Entra ID → App registrations → Certificates & secrets, copy its Value (shown once) and enter it again."),
  7000222: () => e("The client secret has expired", "The app's client secret is past its expiry date (AADSTS7000222).", "Create a new client secret (or switch to a certificate, which the portal recommends) and enter it in the tenant's settings."),
  700016: () => e("The app is not registered in this tenant", "Entra ID does not know this application (client) id in the directory (AADSTS700016). It may be registered in another tenant, or deleted.", "Check the Application (client) ID on the app's Overview page and the directory (tenant) id, then enter them again."),
  90002: () => e("The tenant was not found", "Entra ID has no directory with that id or domain (AADSTS90002).", "Use the Directory (tenant) ID from Entra ID → Overview, or a verified domain of the tenant."),
  65001: () => e("Admin consent is missing", "The app has not been granted the permissions it asks for (AADSTS65001).", "Grant admin consent: the setup wizard's consent step, or Entra ID → API permissions → Grant admin consent."),
  700027: () => e("The certificate does not match", "Entra ID could not verify the app's signed assertion (AADSTS700027): the certificate uploaded to the app registration is not the one the portal holds, or it expired.", "Upload the portal's certificate (.cer) to the app registration under Certificates & secrets, then verify again."),
  7000218: () => e("No credential was sent", "The token request carried neither a client secret nor a certificate assertion (AADSTS7000218).", "Add a client secret or a certificate in the tenant's credential step."),
  70011: () => e("The requested scope is invalid", "Entra ID refused the requested permission scope (AADSTS70011).", "App-only tokens must ask for https://graph.microsoft.com/.default; check the tenant's cloud setting."),
  501481: () => e("Sign-in verification failed", "The sign-in's PKCE check did not match (AADSTS501481).", "Start the sign-in again from the portal's sign-in page."),
  54005: () => e("The sign-in code was already used", "Each authorization code can be redeemed once (AADSTS54005).", "Start the sign-in again from the portal's sign-in page."),
  50011: () => e("The redirect URI is not registered", "The app registration does not list the portal's callback URL (AADSTS50011).", "Add <portal URL>/api/auth/callback/microsoft as a Web redirect URI on the app registration."),
  70008: () => e("Your Microsoft sign-in has expired", "The stored sign-in (refresh token) expired or was revoked (AADSTS70008).", "Sign in with Microsoft again to keep sending as yourself."),
  65004: () => e("Consent was declined", "The administrator cancelled or declined the consent request (AADSTS65004), so the app has no permissions yet.", "Open admin consent again and choose Accept, or grant consent in Entra ID → App registrations → API permissions → Grant admin consent."),
  90094: () => e("An administrator must grant consent", "The account that signed in may not grant these permissions for the organization (AADSTS90094): application permissions on Microsoft Graph need a Global Administrator or Privileged Role Administrator.", "Sign in with such an administrator, or ask one to open the consent link."),
  700082: () => e("Your Microsoft sign-in has expired", "The stored sign-in expired after a long time unused (AADSTS700082).", "Sign in with Microsoft again to keep sending as yourself."),
  50173: () => e("Your Microsoft sign-in was revoked", "Your sessions were revoked, or your password changed, so the stored sign-in no longer works (AADSTS50173).", "Sign in with Microsoft again to keep sending as yourself."),
  70000: () => e("Your Microsoft sign-in is no longer valid", "Entra ID refused the stored sign-in (AADSTS70000).", "Sign in with Microsoft again to keep sending as yourself."),
  9002313: () => e("Your Microsoft sign-in is no longer valid", "Entra ID did not recognise the stored sign-in (AADSTS9002313).", "Sign in with Microsoft again to keep sending as yourself."),
};

/**
 * Every AADSTS number and Graph code explainError has words of its own for: the PowerShell module the
 * portal generates (lib/scripts/module/error-table.ts) builds its error table from these, so a script
 * explains a failure exactly as the portal does. tests/unit/module-error-table.test.ts checks this list
 * against the switch below.
 */
export const EXPLAINED_AADSTS: readonly number[] = Object.keys(AADSTS).map(Number);
export const EXPLAINED_GRAPH_CODES = [
  "InvalidAuthenticationToken", "ErrorInvalidUser", "ResourceNotFound", "MailboxNotEnabledForRESTAPI", "ErrorInvalidRecipients",
  "InvalidInternetMessageHeader", "InvalidInternetMessageHeaderCollection", "ErrorMessageSizeExceeded", "MESSAGE_TOO_LARGE",
  "MIME_MISSING", "ErrorMimeContentInvalid", "ErrorMimeContentInvalidBase64String",
  "UploadSessionExpired", "BadRequest", "RequestEntityTooLarge", "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
  "ErrorSendAsDenied", "ApplicationThrottled", "TooManyRequests", "ErrorAccessDenied",
] as const;

export function explainError(f: ErrorFacts): Explanation {
  if (f.aadsts && AADSTS[f.aadsts]) return AADSTS[f.aadsts]!(f);
  if (f.oauthError === "invalid_grant") return AADSTS[70008]!(f);
  const sender = f.sender ? `'${f.sender}'` : "this mailbox";
  switch (f.graphCode) {
    case "InvalidAuthenticationToken":
      return e("The access token was refused", "Microsoft Graph did not accept the token: it expired, or was issued for another resource or cloud.", "Verify the tenant in Setup; if it keeps happening, check the server clock and the tenant's cloud setting.", true);
    case "ErrorInvalidUser":
      return e("The sender mailbox does not exist", `Exchange Online has no mailbox ${sender} in this tenant.`, "Check the address for typos, or send from a mailbox that exists (a shared mailbox works).");
    case "ResourceNotFound":
      return e("Mailbox not found", `Graph could not find ${sender}. App-only tokens cannot use /me; the mailbox may also be missing.`, "Send from a named mailbox (application mode) or sign in with Microsoft to send as yourself.");
    case "MailboxNotEnabledForRESTAPI":
      return e("The mailbox cannot be used with Graph", `${sender} is unlicensed, inactive, soft-deleted or hosted on-premises.`, "Assign an Exchange Online licence (shared mailboxes need none), or send from another mailbox.");
    case "ErrorInvalidRecipients":
      return e("A recipient address is not valid", "At least one To, Cc or Bcc address was refused as malformed, or there are more than 500 recipients.", "Correct the highlighted addresses, or split the message.");
    case "InvalidInternetMessageHeader":
      return e("A custom header name is not allowed", "Graph accepts only custom headers whose names start with x- or X-.", "Rename the header to start with X-.");
    case "InvalidInternetMessageHeaderCollection":
      return e("Too many custom headers", "Graph accepts at most 5 custom internet message headers per message.", "Remove headers until there are 5 or fewer.");
    case "ErrorMessageSizeExceeded":
      // Exchange counts the message after base64 encoding (about 4/3 of the files, plus headers), and can say
      // so in the middle of an upload (github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2561).
      return e(
        "The message is too large for the mailbox",
        `Exchange refused the message${/bytes \d+-\d+\//.test(f.message ?? "") ? " in the middle of uploading an attachment" : ""}: encoded for sending it exceeds ${sender}'s maximum send size (35 MB by default). Attachments grow by about a third in base64, so a 27 MB file is about 36 MB once encoded.`,
        "Send smaller or fewer attachments (under about 26 MB in total for a 35 MB limit), or ask an Exchange admin to raise the mailbox's MaxSendSize (up to 150 MB) and then the tenant's message size limit in Settings.",
      );
    case "MESSAGE_TOO_LARGE":
      // The portal's own refusal, before anything was uploaded (lib/sends/encoded-size.ts).
      return e(
        "The message is too large for the mailbox",
        f.message ?? `Encoded for sending, the message is over ${sender}'s message size limit.`,
        "Nothing was sent to Microsoft. Send smaller or fewer attachments, or raise the tenant's message size limit in Settings if an Exchange admin raised the mailbox's MaxSendSize.",
      );
    case "MIME_MISSING":
      return e("The device's message is gone", f.message ?? "The message the device handed to the relay is no longer on the portal.", "Nothing was sent to Microsoft. Send it again from the device.");
    case "ErrorMimeContentInvalid":
    case "ErrorMimeContentInvalidBase64String":
      // graph/outlook-send-mime-message, error conditions: "MIME content does not contain all required information, malformed formatting, or empty."
      return e("Microsoft could not read the message", "Graph refused the device's message as malformed MIME (a header section is missing, or its structure is broken).", "Check the device's mail settings or firmware; other devices' messages are not affected.");
    case "UploadSessionExpired":
      return e("The upload session expired", "Microsoft no longer knew the attachment's upload session (it expired or was removed) before the file was complete.", "Nothing to do: the portal deletes the unfinished draft and builds the message again on its next try.", true);
    case "BadRequest":
      // Observed 400 {"code":"BadRequest","message":"Maximum request length exceeded."} for a body over 4 MB
      // (microsoftgraph/microsoft-graph-docs-contrib issue 8362). BadRequest is generic, so this is the one
      // place the message decides; other BadRequests fall through to the generic explanation.
      if (!/Maximum request length/i.test(f.message ?? "")) break;
    // falls through
    case "RequestEntityTooLarge":
      return e(
        "The request is over 4 MB",
        "Graph refuses any request (a sendMail, or one attachment added to a draft) over 4 MB as sent, which counts the attachments in base64; larger attachments must go through an upload session.",
        "Send the message again: the portal decides on the encoded size and uses an upload session for any attachment whose request would not fit.",
      );
    case "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize":
      return e("Attachment too small for an upload session", "Upload sessions are for attachments of 3 MB and more.", "Attach the file inline instead (the portal does this automatically).");
    case "ErrorSendAsDenied":
      return e("Not allowed to send as that address", `The signed-in account has no Send As right on ${sender}.`, "Send as yourself, or ask an Exchange admin for Send As permission.");
    case "ApplicationThrottled":
    case "TooManyRequests":
      return e("Microsoft is throttling this mailbox", `Graph limits each mailbox to 4 concurrent requests and to 150 MB of uploads every 5 minutes, and Exchange to 30 messages a minute.${f.retryAfterSeconds ? ` Microsoft asked to wait ${f.retryAfterSeconds} s.` : ""}`, "Nothing to do: the portal retries after the wait Microsoft gives. For bulk runs, use the outbox, which paces each mailbox.", true);
    case "ErrorAccessDenied":
      if (/OData is disabled|RAOP|AccessPolicy/i.test(f.message ?? "")) {
        return e(
          "This mailbox is outside the app's restriction",
          `An application access policy or RBAC scope blocks the app from sending as ${sender}.`,
          f.restriction
            ? `Add ${sender} to ${f.restriction} (or its RBAC scope), or send from a mailbox inside it. Changes can take up to an hour or more to reach Graph.`
            : "Add the mailbox to the mail-enabled security group (or RBAC scope) that restricts the app, or send from a mailbox inside it. Changes can take an hour or more to reach Graph.",
        );
      }
      return e("The app lacks the Mail.Send permission", "Graph refused the call: the token carries no Mail.Send (application) or the consent was removed.", "Grant admin consent for Mail.Send in the setup wizard, then verify the tenant.");
  }
  if (f.httpStatus === 503 || f.httpStatus === 504 || f.httpStatus === 502) {
    return e("Microsoft Graph is temporarily unavailable", `Graph answered ${f.httpStatus}.`, "The portal retries automatically; nothing to change.", true);
  }
  if (f.httpStatus === 429) return explainError({ ...f, graphCode: "ApplicationThrottled" });
  // 413 also comes without a Graph envelope (observed on attachment POSTs: microsoftgraph/msgraph-sdk-javascript issue 260).
  if (f.httpStatus === 413) return explainError({ ...f, graphCode: "RequestEntityTooLarge" });
  return e(
    "Microsoft refused the request",
    f.graphCode ? `Graph answered ${f.httpStatus ?? "an error"} ${f.graphCode}.` : f.httpStatus ? `Graph answered HTTP ${f.httpStatus}.` : "The request did not complete.",
    "Keep the request-id below for Microsoft support; try again later.",
    !f.httpStatus || f.httpStatus >= 500,
  );
}
