/**
 * The V8 heap limit the portal's processes run with (`npm start`'s `next start`, and bench:smtp's relay,
 * measured as `npm start` runs it): PORTAL_MAX_HEAP_MB, default 1024.
 *
 * Why a limit at all, when the portal streams everything: V8 decides when to run a full collection from
 * the heap limit. With Node's default limit on a machine with 16 GB or more (4 GB here), it lets the old
 * generation grow to 4× what was live after the last full collection before collecting again; under a
 * 2 GB limit the factor scales between 1.3 and 2 (MaxGrowingFactor in V8's heap controller:
 * https://github.com/v8/v8/blob/main/src/heap/heap-controller.cc). Under load the relay promotes short-lived
 * per-message objects (a message is in flight for longer than two scavenges), so with a 4 GB limit its RSS
 * grew by 87–98 MB, mostly garbage, before V8 collected; under 1024 MB by 22–36 MB (bench:smtp, README).
 * The portal's live heap is far below 1 GB (bench:history's export: 22–31 MB), so the limit never binds.
 *
 * A limit already given in NODE_OPTIONS wins (the operator's choice).
 */
export const DEFAULT_HEAP_MB = 1024;

export function heapArgs(env: Readonly<Record<string, string | undefined>>): string[] {
  if (/--max-old-space-size(=|\s)/.test(env.NODE_OPTIONS ?? "")) return [];
  const raw = env.PORTAL_MAX_HEAP_MB?.trim();
  if (!raw) return [`--max-old-space-size=${DEFAULT_HEAP_MB}`];
  const mb = Number(raw);
  if (!/^\d+$/.test(raw) || mb < 256) throw new Error(`PORTAL_MAX_HEAP_MB must be a whole number of megabytes, at least 256 (it is "${raw}")`);
  return [`--max-old-space-size=${mb}`];
}
