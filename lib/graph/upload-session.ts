import "server-only";
import { createReadStream } from "node:fs";
import https from "node:https";
import http from "node:http";
import { pipeline } from "node:stream/promises";

/**
 * Step 3 of Graph's large-attachment flow (graph/outlook-large-attachments, graph/api/attachment-createuploadsession):
 * PUT the file to the upload session in ranges, in order, each with Content-Range and Content-Length.
 * Each range is piped from disk into the request, so neither the file nor a whole range is ever held in
 * memory (the SDK's LargeFileUploadTask reads every range into a buffer first). Ranges are 3.75 MiB:
 * under Outlook's 4 MB per request and a multiple of 320 KiB, as Microsoft recommends.
 * The upload URL is pre-authenticated: no Authorization header is sent (Outlook rejects one).
 * Errors are thrown as the parsed Graph error body, as the SDK does, so lib/graph/errors.ts reads them.
 */
export const UPLOAD_RANGE_BYTES = 12 * 320 * 1024;

const agents = { "https:": new https.Agent({ keepAlive: true, maxSockets: 1 }), "http:": new http.Agent({ keepAlive: true, maxSockets: 1 }) };

interface PutResult {
  status: number;
  body: string;
}

function putRange(url: URL, path: string, start: number, end: number, total: number, timeoutMs: number): Promise<PutResult> {
  const mod = url.protocol === "https:" ? https : http;
  return new Promise<PutResult>((resolve, reject) => {
    const req = mod.request(url, {
      method: "PUT",
      agent: agents[url.protocol as "https:" | "http:"],
      timeout: timeoutMs,
      headers: { "content-type": "application/octet-stream", "content-length": String(end - start + 1), "content-range": `bytes ${start}-${end}/${total}` },
    });
    req.on("timeout", () => req.destroy(new Error(`upload range ${start}-${end} timed out`)));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    pipeline(createReadStream(path, { start, end, highWaterMark: 256 * 1024 }), req).catch(reject);
  });
}

function uploadError(r: PutResult): unknown {
  try {
    const parsed = JSON.parse(r.body) as { error?: unknown };
    if (parsed && typeof parsed === "object" && parsed.error) return parsed;
  } catch {
    /* not JSON */
  }
  return { error: { code: `UploadFailed${r.status}`, message: `The upload session answered HTTP ${r.status}.` } };
}

/** The next byte the session expects, from `nextExpectedRanges: ["12345-"]` (either casing, as Outlook varies). */
function nextExpected(body: string): number | null {
  try {
    const j = JSON.parse(body) as { nextExpectedRanges?: string[]; NextExpectedRanges?: string[] };
    const first = (j.nextExpectedRanges ?? j.NextExpectedRanges)?.[0];
    return first ? Number(first.split("-")[0]) : null;
  } catch {
    return null;
  }
}

export async function uploadFileToSession(
  uploadUrl: string,
  file: { path: string; name: string; size: number },
  onProgress?: (uploadedBytes: number) => void,
  opts: { rangeBytes?: number; timeoutMs?: number } = {},
): Promise<void> {
  const url = new URL(uploadUrl);
  const range = opts.rangeBytes ?? UPLOAD_RANGE_BYTES;
  let offset = 0;
  while (offset < file.size) {
    const end = Math.min(offset + range, file.size) - 1;
    const r = await putRange(url, file.path, offset, end, file.size, opts.timeoutMs ?? 120_000);
    if (r.status === 201 || (r.status === 200 && end === file.size - 1)) {
      onProgress?.(file.size);
      return;
    }
    if (r.status !== 200) throw uploadError(r);
    // Continue where the service says it is, which is normally end + 1.
    offset = nextExpected(r.body) ?? end + 1;
    onProgress?.(offset);
  }
}
