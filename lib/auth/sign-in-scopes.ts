/**
 * The scopes a Microsoft sign-in asks for: identity; Mail.Send when the tenant allows delegated sending;
 * and Mail.ReadWrite when it also sends large attachments — a delegated send of 3 MB and more goes
 * through a draft and an upload session, which need delegated Mail.ReadWrite
 * (https://learn.microsoft.com/graph/api/attachment-createuploadsession, permissions table). Entra puts
 * every consented scope of the resource in the token, so the refresh path needs no change.
 */
export function signInScopes(useDelegated: boolean, largeAttachments = false): string {
  return ["openid", "profile", "email", "offline_access", "User.Read", ...(useDelegated ? ["Mail.Send"] : []), ...(useDelegated && largeAttachments ? ["Mail.ReadWrite"] : [])].join(" ");
}
