import "server-only";
import { PassThrough, type Readable } from "node:stream";
import { saveUpload, type UploadMeta } from "../sends/upload-store";

/**
 * Streams a message's DATA (dot-unstuffed by smtp-server) into the upload store (lib/sends/upload-store.ts)
 * as the device's upload, with backpressure all the way to the socket: memory holds a few chunks and the
 * header block, never the message, whatever its size. The header block (up to the first empty line,
 * at most HEADER_LIMIT bytes) is kept aside for lib/smtp/read-headers.ts.
 *
 * On failure (too large for the device, over quota, disk trouble) the upload is removed by saveUpload
 * and the rest of the DATA is drained (not destroyed: smtp-server reads to the final dot, then replies).
 */
export const HEADER_LIMIT = 256 * 1024;

function headerEnd(buf: Buffer): number {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

export async function receiveMessage(data: Readable, opts: { ownerId: string; maxBytes: number; declaredBytes: number }): Promise<{ upload: UploadMeta; header: Buffer }> {
  // pipe, not pipeline: on failure saveUpload destroys its source (this PassThrough), while the DATA
  // stream itself must be drained, not destroyed (see above). The chunks go to the file as they are;
  // no extra async layer per chunk (each would be heap garbage proportional to the message's size).
  const pass = new PassThrough();
  data.pipe(pass);
  let head: Buffer[] = [];
  let headBytes = 0;
  let header: Buffer | null = null;
  const peek = (chunk: Uint8Array) => {
    if (header) return;
    head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    headBytes += chunk.byteLength;
    const joined = Buffer.concat(head);
    const end = headerEnd(joined);
    if (end >= 0 || headBytes >= HEADER_LIMIT) {
      // A copy: a view would keep the whole chunk alive with the header.
      header = Buffer.from(joined.subarray(0, end >= 0 ? end : HEADER_LIMIT));
      head = [];
    } else {
      head = [joined];
    }
  };
  try {
    const upload = await saveUpload({ ownerId: opts.ownerId, name: "message.eml", contentType: "message/rfc822", body: pass, declaredBytes: opts.declaredBytes, maxBytes: opts.maxBytes, onChunk: peek });
    return { upload, header: header ?? Buffer.concat(head) };
  } catch (err) {
    data.unpipe(pass);
    pass.destroy();
    // Drain the rest of the DATA so that smtp-server reaches the final dot and sends our reply.
    data.resume();
    throw err;
  }
}
