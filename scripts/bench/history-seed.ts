/** The history benchmark's rows (scripts/bench/history.ts): set-based generation into a scratch database. */
import type pg from "pg";

export const DAYS = 90;
const BATCH = 500_000;

/**
 * Sends numbered [from, to] of a phase that spreads `first..last` over the last 90 days in insertion order
 * (rows arrive in time order, as they do in production; ids are time-prefixed like cuid's). Set-based, one
 * statement per batch: the sends, then one SendDelivery per recipient of every traced send, as the trace
 * job (lib/delivery) leaves them. Distributions: 5 tenants (one holds 60%), tenants 0–2 with message trace,
 * 40 sender mailboxes, 50 portal users (API and SMTP sends have none), 20,000 recipients (skewed), 30% with
 * a Cc; 2% failed, 0.3% uncertain, a few queued/retrying, the rest accepted; of accepted traced sends 3%
 * failed after acceptance (failed, quarantined or filtered as spam), the last day's pending, the rest delivered.
 */
export async function seed(client: pg.Client, from: number, to: number, first: number, last: number): Promise<void> {
  for (let start = from; start <= to; start += BATCH) {
    const end = Math.min(to, start + BATCH - 1);
    await client.query(
      `
      WITH g AS (
        SELECT i, now() - interval '${DAYS} days' * (1 - (i - $3::int + random()) / ($4::int - $3::int + 1)) AS at,
               random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7
        FROM generate_series($1::int, $2::int) AS i
      ), v AS (
        SELECT g.*,
               CASE WHEN r1 < 0.6 THEN 0 ELSE 1 + floor((r1 - 0.6) * 10)::int END AS tn,
               CASE WHEN r3 < 0.5 THEN 'app' WHEN r3 < 0.75 THEN 'api' WHEN r3 < 0.9 THEN 'bulk' WHEN r3 < 0.95 THEN 'delegated' ELSE 'smtp' END AS mode,
               CASE WHEN r4 < 0.02 THEN 'failed' WHEN r4 < 0.023 THEN 'uncertain' WHEN r4 < 0.0235 THEN 'queued' WHEN r4 < 0.024 THEN 'retrying' ELSE 'accepted' END AS status,
               ARRAY['person' || floor(r5 * r5 * 20000)::int || '@fabrikam.com'] AS "to",
               CASE WHEN r6 < 0.3 THEN ARRAY['cc' || floor(r6 * 2000)::int || '@contoso.com'] ELSE '{}' END AS cc
        FROM g
      ), ins AS (
        INSERT INTO "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses",
                           "recipientCount", subject, body, "sizeBytes", attachments, "attemptCount", "errorCode",
                           "internetMessageId", "deliveryState", "deliveryCheckedAt", "createdAt", "updatedAt", "completedAt")
        SELECT 'c' || lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || substr(md5(i::text), 1, 13),
               'tenant' || tn, mode::"SendMode", status::"SendStatus",
               CASE WHEN mode IN ('api', 'smtp') THEN NULL ELSE 'user' || floor(r2 * 50)::int END,
               'mailbox' || floor(r2 * 40)::int || '@contoso.com', "to", cc, '{}',
               1 + cardinality(cc),
               (ARRAY['Invoice','Welcome aboard','Password reset','Weekly report','Shipping notice','Meeting invitation','Payroll slip','Security alert'])[1 + floor(r7 * 8)::int]
                 || ' ' || floor(r7 * 80056)::int % 10007,
               '<p>Hello</p>', 2000 + floor(r6 * 50000)::int, '[]', 1,
               CASE WHEN status = 'failed' THEN 'ErrorInvalidRecipients' END,
               CASE WHEN tn < 3 AND status = 'accepted' THEN '<' || md5(i::text) || '@contoso.com>' END,
               CASE WHEN tn >= 3 OR status <> 'accepted' THEN NULL WHEN at > now() - interval '1 day' THEN 'pending'
                    WHEN r6 < 0.03 THEN 'failed' ELSE 'delivered' END,
               CASE WHEN tn < 3 AND status = 'accepted' THEN at + interval '20 minutes' END,
               at, at, at + interval '2 seconds'
        FROM v
        RETURNING id, "toAddresses", "ccAddresses", "deliveryState", "internetMessageId", "createdAt"
      )
      INSERT INTO "SendDelivery"(id, "sendId", recipient, status, "traceId", "messageId", "receivedAt", "lastCheckedAt", "createdAt")
      SELECT 'd' || substr(md5(ins.id || r.n), 1, 24), ins.id, r.addr,
             CASE WHEN ins."deliveryState" = 'failed' AND r.n = 1 THEN (ARRAY['failed','quarantined','filteredAsSpam'])[1 + abs(hashtext(ins.id)) % 3]
                  WHEN ins."deliveryState" = 'pending' THEN 'pending' ELSE 'delivered' END,
             md5(ins.id || 't' || r.n), ins."internetMessageId", ins."createdAt" + interval '5 seconds',
             ins."createdAt" + interval '20 minutes', ins."createdAt" + interval '20 minutes'
      FROM ins CROSS JOIN LATERAL unnest(ins."toAddresses" || ins."ccAddresses") WITH ORDINALITY AS r(addr, n)
      WHERE ins."deliveryState" IS NOT NULL`,
      [start, end, first, last],
    );
  }
}
