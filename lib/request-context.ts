import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The id of the request being served, for log lines (lib/log.ts). Pages, server actions and session
 * routes get it from proxy.ts as the `x-request-id` request header; the REST API (not behind the proxy:
 * its bodies are streamed) sets it here with runWithRequestId. Outside a request (the outbox worker, the
 * SMTP relay) there is none, and log lines carry the send id instead.
 */
const g = globalThis as unknown as { __gmpRequestIds?: AsyncLocalStorage<string> };
const store = (g.__gmpRequestIds ??= new AsyncLocalStorage<string>());

export function runWithRequestId<T>(id: string, fn: () => T): T {
  return store.run(id, fn);
}

export async function currentRequestId(): Promise<string | null> {
  const own = store.getStore();
  if (own) return own;
  try {
    const { headers } = await import("next/headers");
    return (await headers()).get("x-request-id");
  } catch {
    return null; // not inside a request
  }
}
