/**
 * Request bodies on the Graph host. Graph limits each REST request to 4 MB, measured as sent (the JSON
 * with base64 contentBytes, or the base64 MIME text): graph/api/user-sendmail, graph/outlook-large-attachments
 * ("a limit of 4 MB on the total size of each REST request"). The sandbox counts 4 MiB = 4,194,304 bytes
 * of body. Observed answer, used here: 400 {"code":"BadRequest","message":"Maximum request length
 * exceeded."} (microsoftgraph/microsoft-graph-docs-contrib issue 8362, adding an attachment); a 413 is
 * also reported by clients — which one a given front end answers is unconfirmed, so clients should
 * handle both. The body is drained even when too large, so the client sees the answer instead of a reset.
 */
import type { IncomingMessage } from "node:http";
import { GraphHttpError } from "./pipeline";

export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Beyond this the sandbox stops draining and drops the connection. */
const DRAIN_CAP = 64 * 1024 * 1024;

export const REQUEST_TOO_LARGE = () => new GraphHttpError(400, "BadRequest", "Maximum request length exceeded.");

export async function readGraphBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > DRAIN_CAP) {
    req.socket.destroy();
    throw REQUEST_TOO_LARGE();
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
  if (size > limit) throw REQUEST_TOO_LARGE();
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
