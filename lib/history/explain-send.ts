import "server-only";
import { explainError, type Explanation } from "../graph/explain";
import type { SendDetail } from "./find-send";

/**
 * The plain-words explanation for a send that did not go through: from its last failed attempt (the
 * Graph code, HTTP status, AADSTS number when the token call failed), else from the send's own error.
 */
export function explainSend(s: SendDetail): Explanation | null {
  if (s.status === "accepted" || s.status === "queued" || s.status === "sending") return null;
  const last = [...s.attempts].reverse().find((a) => a.outcome !== "accepted" && (a.httpStatus !== null || a.graphCode || a.message));
  const code = last?.graphCode ?? s.errorCode;
  const message = last?.message ?? s.errorMessage;
  if (!last && !code && !message) return null;
  const aadsts = /AADSTS(\d{5,7})/.exec(`${code ?? ""} ${message ?? ""}`)?.[1];
  return explainError({
    httpStatus: last?.httpStatus ?? null,
    graphCode: code && !code.startsWith("AADSTS") ? code : null,
    message,
    aadsts: aadsts ? Number(aadsts) : null,
    oauthError: code === "invalid_grant" || code === "invalid_client" ? code : null,
    sender: s.fromAddress,
    retryAfterSeconds: last?.retryAfterMs ? Math.ceil(last.retryAfterMs / 1000) : null,
  });
}
