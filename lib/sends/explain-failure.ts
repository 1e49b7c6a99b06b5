import { explainError, type Explanation } from "../graph/explain";

/**
 * The one explanation of why a send did not go through, shared by the compose page's status and the
 * history detail: from its last failed attempt (the Graph code, HTTP status, AADSTS number when the
 * token call failed, or the portal's own refusal at claim time), else from the send's own error.
 * Pure, so it runs wherever the send's facts are.
 */
export interface FailureFacts {
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  fromAddress: string;
  /** The group or RBAC scope that restricts the app, when the wizard knows it. */
  restriction?: string | null;
  attempts: { operation: string | null; outcome: string; httpStatus: number | null; graphCode: string | null; message: string | null; retryAfterMs: number | null; requestId?: string | null }[];
}

const DONE = ["pending", "accepted", "created", "uploaded", "deleted", "retried"];

export function lastFailure(f: FailureFacts) {
  return [...f.attempts].reverse().find((a) => !DONE.includes(a.outcome) && (a.httpStatus !== null || a.graphCode || a.message)) ?? null;
}

export function explainFailure(f: FailureFacts): Explanation | null {
  if (f.status === "uncertain") {
    return {
      title: "No answer from Microsoft: the message may have been sent",
      detail: f.errorMessage ?? "The request reached Microsoft but no answer came back in time.",
      action: "The portal never resends it automatically. Check the recipients' mailboxes or the sender's Sent Items before sending again.",
      transient: false,
    };
  }
  if (f.status !== "failed" && f.status !== "retrying") return null;
  const last = lastFailure(f);
  if (last?.operation === "policy") {
    return {
      title: "The portal stopped this send",
      detail: last.message ?? f.errorMessage ?? "The sender's permission changed after the mail was queued.",
      action: "Nothing was sent to Microsoft. If it should go out, an admin grants the mailbox (Senders) or re-enables the person, then it can be sent again.",
      transient: false,
    };
  }
  const code = last?.graphCode ?? f.errorCode;
  const message = last?.message ?? f.errorMessage;
  if (!last && !code && !message) return null;
  const aadsts = /AADSTS(\d{5,7})/.exec(`${code ?? ""} ${message ?? ""}`)?.[1];
  const x = explainError({
    httpStatus: last?.httpStatus ?? null,
    graphCode: code && !code.startsWith("AADSTS") && code !== "invalid_grant" ? code : null,
    message,
    aadsts: aadsts ? Number(aadsts) : null,
    oauthError: code === "invalid_grant" || code === "invalid_client" ? code : null,
    sender: f.fromAddress,
    restriction: f.restriction ?? null,
    retryAfterSeconds: last?.retryAfterMs ? Math.ceil(last.retryAfterMs / 1000) : null,
  });
  // Failures the portal itself detects (a missing attachment, a refused token) already read as words.
  if (x.title === "Microsoft refused the request" && !last?.httpStatus) return { ...x, title: "The message was not sent", detail: f.errorMessage ?? x.detail };
  return x;
}

/** The restriction group the wizard recorded for a tenant, for explanations. */
export function restrictionOf(wizardData: unknown): string | null {
  return (wizardData as { restriction?: { groupAddress?: string } } | null)?.restriction?.groupAddress ?? null;
}
