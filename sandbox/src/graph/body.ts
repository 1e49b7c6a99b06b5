/**
 * Request bodies on the Graph host. Graph refuses requests over 4 MB (GRAPH-FACTS §1). Observed
 * answers are 400 "Maximum request length exceeded." and 413; the sandbox answers
 * 413 RequestEntityTooLarge with that message (unconfirmed code; clients should switch on the status).
 * The body is drained even when too large, so the client sees the answer instead of a reset.
 */
import type { IncomingMessage } from "node:http";
import { GraphHttpError } from "./pipeline";

export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Beyond this the sandbox stops draining and drops the connection. */
const DRAIN_CAP = 64 * 1024 * 1024;

export async function readGraphBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > DRAIN_CAP) {
    req.socket.destroy();
    throw new GraphHttpError(413, "RequestEntityTooLarge", "Maximum request length exceeded.");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > DRAIN_CAP) {
      req.socket.destroy();
      break;
    }
    if (size <= limit) chunks.push(b);
  }
  if (size > limit) throw new GraphHttpError(413, "RequestEntityTooLarge", "Maximum request length exceeded.");
  return Buffer.concat(chunks);
}

/** Graph's answer to a body that is not JSON (observed wording). */
export function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) throw new GraphHttpError(400, "BadRequest", "Empty Payload. JSON content expected.");
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    throw new GraphHttpError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
  }
}
