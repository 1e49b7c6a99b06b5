import "server-only";
import type { NextRequest } from "next/server";
import { authenticateKey, type ApiKeyCaller } from "../api-keys/authenticate-key";
import { clientIp } from "../rate-limit/client-ip";
import { errorProblem } from "./problem";
import { runWithRequestId } from "../request-context";
import { incomingRequestId } from "../request-id";

type Params = Promise<Record<string, string | string[]>>;

/**
 * The REST API's route wrapper (the Bearer-key counterpart of lib/api.ts's route()): the key →
 * handler → errors as problem+json. No same-origin check: the request carries no cookies, so a forged
 * cross-site request has no credentials to ride on, and a session cookie is never a fallback.
 * `countRate`: the request counts against the key's own per-minute limit (sending, uploading).
 */
export function keyRoute(
  opts: { countRate?: boolean },
  handler: (ctx: { req: NextRequest; key: ApiKeyCaller; ip: string; params: Record<string, string | string[]> }) => Promise<Response>,
) {
  return async (req: NextRequest, context: { params: Params }): Promise<Response> => {
    const instance = req.nextUrl.pathname;
    // The id of this request in the server's log lines, answered as X-Request-Id for support tickets.
    const requestId = incomingRequestId(req.headers);
    const res = await runWithRequestId(requestId, async () => {
      try {
        const ip = clientIp((n) => req.headers.get(n));
        const key = await authenticateKey(req.headers.get("authorization"), ip, { countRate: opts.countRate });
        const params = (await context.params) ?? {};
        return await handler({ req, key, ip, params });
      } catch (err) {
        return errorProblem(err, instance);
      }
    });
    res.headers.set("X-Request-Id", requestId);
    return res;
  };
}
