/**
 * Request ids (no server-only, no Node imports: proxy.ts uses this too). A load balancer's
 * `X-Request-Id` is kept when it looks like an id (so one id follows the request through every hop);
 * anything else — missing, too long, or with characters that could forge log lines — is replaced.
 */
const ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function incomingRequestId(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && ID.test(given) ? given : crypto.randomUUID();
}
