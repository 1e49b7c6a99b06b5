/**
 * `npm run bench:attachment`: a 150 MB attachment sent through the portal to the sandbox tenant.
 *   - extra peak RSS of the portal's processes while the file is uploaded to the portal and sent on to
 *     Graph (goal ≤ 64 MB: both legs stream from/to disk in ≤ 4 MB ranges);
 *   - throughput of the Graph leg (send queued → accepted: draft, upload session, 3.75 MiB PUTs, send)
 *     as a ratio to a raw loopback run of the same calls with the same bytes, measured in this run
 *     (goal ≥ 0.8).
 * It starts its own sandbox and portal (scripts/start.ts, PORTAL_SANDBOX=off + a tenants file, as demo
 * mode connects them) on free ports with a throwaway database on 127.0.0.1:5432, and prints JSON.
 * BENCH_SANDBOX_ROOT runs the sandbox from another checkout; NEXT_DIST_DIR reuses a build.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { rssOfTree, sleep, startBenchStack, type Res } from "./harness";

const SIZE = 150 * 1024 * 1024;
const RANGE = 12 * 320 * 1024;

async function main() {
  // A sender whose MaxSendSize admits 150 MB (Exchange's default is 35 MB; admins raise it to 150 MB).
  const stack = await startBenchStack("attachment", (domain) => [{ userPrincipalName: `bench.sender@${domain}`, displayName: "Bench Sender", mailbox: { kind: "user", maxSendSize: SIZE + 16 * 1024 * 1024 } }]);
  try {
    await measure(stack);
  } finally {
    await stack.cleanup();
  }
}

async function measure({ base, cookie, tenantId, dbUrl, work, e, portal, call }: Awaited<ReturnType<typeof startBenchStack>>) {
  const sender = `bench.sender@${e.tenant.domain}`;
  // Route handlers refuse cross-site writes: the bench's requests come from the portal's own origin.
  const origin = base;

  // 150 MB of random bytes on disk.
  const file = path.join(work, "attachment.bin");
  const hash = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on("error", reject).on("finish", resolve);
    let left = SIZE;
    const write = () => {
      while (left > 0) {
        const chunk = randomBytes(Math.min(4 << 20, left));
        left -= chunk.length;
        hash.update(chunk);
        if (!out.write(chunk)) return void out.once("drain", write);
      }
      out.end();
    };
    write();
  });
  const sha256 = hash.digest("hex");

  // Baseline: the same Graph calls straight from this process over loopback.
  const tok = await call(`${e.loginUrl}/${e.tenant.id}/oauth2/v2.0/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: e.app.clientId, client_secret: e.app.clientSecret, grant_type: "client_credentials", scope: "https://graph.microsoft.com/.default" }).toString() });
  const auth = { authorization: `Bearer ${(JSON.parse(tok.body) as { access_token: string }).access_token}`, "content-type": "application/json" };
  const g = `${e.graphUrl}/v1.0/users/${encodeURIComponent(sender)}`;
  const rawStart = performance.now();
  const must = (r: Res, what: string) => {
    if (r.status >= 300) throw new Error(`raw ${what}: HTTP ${r.status} ${r.body}`);
    return JSON.parse(r.body) as Record<string, string>;
  };
  const draft = must(await call(`${g}/messages`, { method: "POST", headers: auth, body: JSON.stringify({ subject: "raw baseline", body: { contentType: "Text", content: "raw" }, toRecipients: [{ emailAddress: { address: e.mailboxes.allowed } }] }) }), "draft") as { id: string };
  const sess = must(await call(`${g}/messages/${encodeURIComponent(draft.id)}/attachments/createUploadSession`, { method: "POST", headers: auth, body: JSON.stringify({ AttachmentItem: { attachmentType: "file", name: "raw.bin", size: SIZE } }) }), "createUploadSession") as { uploadUrl: string };
  const fh = await open(file, "r");
  for (let off = 0; off < SIZE; off += RANGE) {
    const len = Math.min(RANGE, SIZE - off);
    const buf = Buffer.allocUnsafe(len);
    await fh.read(buf, 0, len, off);
    const r = await call(sess.uploadUrl, { method: "PUT", headers: { "content-range": `bytes ${off}-${off + len - 1}/${SIZE}`, "content-length": String(len), "content-type": "application/octet-stream" }, body: buf });
    if (r.status >= 300) throw new Error(`raw PUT failed: ${r.status} ${r.body}`);
  }
  await fh.close();
  const sent = await call(`${g}/messages/${encodeURIComponent(draft.id)}/send`, { method: "POST", headers: auth, body: "" });
  if (sent.status !== 202) throw new Error(`raw send failed: ${sent.status}`);
  const rawSeconds = (performance.now() - rawStart) / 1000;

  // Warm-up: one 4 MB send through the same path (upload route, outbox, MSAL, upload session), so the
  // baseline already holds the code and connections every send needs and the peak measures the 150 MB file.
  const warmFile = path.join(work, "warm.bin");
  await writeFile(warmFile, randomBytes(4 << 20));
  const warmUp = await call(`${base}/api/uploads?name=warm.bin`, { method: "POST", headers: { cookie, origin, "content-type": "application/octet-stream", "content-length": String(4 << 20) }, body: createReadStream(warmFile) });
  if (warmUp.status !== 201) throw new Error(`warm-up upload failed: ${warmUp.status} ${warmUp.body}`);
  const warmSend = await call(`${base}/api/sends`, { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: JSON.stringify({ tenantId, mode: "app", from: sender, to: e.mailboxes.allowed, subject: "bench warm-up", body: "warm", attachments: [{ id: (JSON.parse(warmUp.body) as { id: string }).id }] }) });
  if (warmSend.status !== 201) throw new Error(`warm-up send refused: ${warmSend.status} ${warmSend.body}`);
  const warmId = (JSON.parse(warmSend.body) as { id: string }).id;
  for (let st = "queued"; !["accepted", "failed", "uncertain"].includes(st); ) {
    await sleep(50);
    st = (JSON.parse((await call(`${base}/api/sends/${warmId}`, { headers: { cookie } })).body) as { status: string }).status;
  }

  // Through the portal, sampling the portal's RSS all along.
  await sleep(1000);
  const idle: number[] = [];
  for (let i = 0; i < 10; i++) {
    idle.push(await rssOfTree(portal.pid!));
    await sleep(50);
  }
  const baseline = idle.sort((a, b) => a - b)[5]!;
  let peak = baseline;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOfTree(portal.pid!));
      await sleep(20);
    }
  })();
  const upStart = performance.now();
  const up = await call(`${base}/api/uploads?name=big.bin`, { method: "POST", headers: { cookie, origin, "content-type": "application/octet-stream", "content-length": String(SIZE) }, body: createReadStream(file) });
  const uploadSeconds = (performance.now() - upStart) / 1000;
  if (up.status !== 201) throw new Error(`upload to the portal failed: ${up.status} ${up.body}`);
  const uploaded = JSON.parse(up.body) as { id: string; sha256: string };
  const peakAfterUpload = peak;
  peak = baseline;
  const sendStart = performance.now();
  const created = await call(`${base}/api/sends`, { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: JSON.stringify({ tenantId, mode: "app", from: sender, to: e.mailboxes.allowed, subject: "bench 150 MB", body: "bench", attachments: [{ id: uploaded.id }] }) });
  if (created.status !== 201) throw new Error(`send refused: ${created.status} ${created.body}`);
  const sendId = (JSON.parse(created.body) as { id: string }).id;
  let status = "queued";
  while (!["accepted", "failed", "uncertain"].includes(status)) {
    await sleep(50);
    status = (JSON.parse((await call(`${base}/api/sends/${sendId}`, { headers: { cookie } })).body) as { status: string }).status;
  }
  const graphSeconds = (performance.now() - sendStart) / 1000;
  sampling = false;
  await sampler;
  if (status !== "accepted") throw new Error(`the portal's send ended ${status}`);
  const msgs = JSON.parse((await call(`${e.loginUrl}/_sandbox/messages?to=${encodeURIComponent(e.mailboxes.allowed)}&subject=${encodeURIComponent("bench 150 MB")}`)).body) as { attachments: { sha256: string }[] }[];
  // Where the Graph leg's time went: each logged Graph call of the send.
  const dbc = new pg.Client({ connectionString: dbUrl });
  await dbc.connect();
  const attempts = (await dbc.query<{ operation: string | null; durationMs: number | null }>(`SELECT operation, "durationMs" FROM "SendAttempt" WHERE "sendId" = $1 ORDER BY number`, [sendId])).rows;
  await dbc.end();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  const rawMBps = SIZE / 1024 / 1024 / rawSeconds;
  const portalMBps = SIZE / 1024 / 1024 / graphSeconds;
  console.log(JSON.stringify({
    bench: "attachment",
    attachmentBytes: SIZE,
    bytesIdentical: uploaded.sha256 === sha256 && msgs[0]?.attachments[0]?.sha256 === sha256,
    portal: {
      baselineRssMB: mb(baseline),
      peakRssMB: mb(Math.max(peak, peakAfterUpload)),
      extraPeakRssMB: mb(Math.max(peak, peakAfterUpload) - baseline),
      extraPeakRssByStageMB: { uploadToPortal: mb(peakAfterUpload - baseline), graphLeg: mb(peak - baseline) },
      goalExtraPeakRssMB: 64,
      uploadToPortalSeconds: Math.round(uploadSeconds * 100) / 100,
      uploadToPortalMBps: Math.round((SIZE / 1024 / 1024 / uploadSeconds) * 10) / 10,
      graphLegSeconds: Math.round(graphSeconds * 100) / 100,
      graphLegMBps: Math.round(portalMBps * 10) / 10,
      graphCallsMs: attempts.map((a) => `${a.operation ?? "?"}: ${a.durationMs ?? "?"}`),
    },
    baseline: { rawLoopbackSeconds: Math.round(rawSeconds * 100) / 100, rawLoopbackMBps: Math.round(rawMBps * 10) / 10 },
    ratios: { throughputVsRaw: Math.round((portalMBps / rawMBps) * 100) / 100, goalThroughputVsRaw: 0.8, endToEndVsRaw: Math.round(((SIZE / 1024 / 1024 / (uploadSeconds + graphSeconds)) / rawMBps) * 100) / 100 },
  }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
