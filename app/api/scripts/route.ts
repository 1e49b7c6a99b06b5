import { route } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { uploadScripts } from "@/lib/scripts/inventory/upload-scripts";
import { uploadScriptsSchema } from "@/lib/schemas/scripts";

/**
 * The whole multipart request: zipped scripts shrink several times, so this holds a fleet. Below the 10 MB
 * that Next's proxy buffers of a request body (proxyClientMaxBodySize; proxy.ts runs on this path): past it
 * the handler would get a truncated body instead of a clear 413.
 */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** Reads the request body, refusing more than `max` bytes as they arrive (a missing or lying Content-Length included). */
async function readCapped(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  const tooLarge = () => new AppError("TOO_LARGE", { userMessage: `Upload at most ${max / 1024 / 1024} MB at once.`, status: 413, fields: { files: `Upload at most ${max / 1024 / 1024} MB at once.` } });
  if (declared > max) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (req.body ?? new ReadableStream<Uint8Array>()) as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Upload or paste scripts to convert (multipart/form-data: tenantId, modulePath, files…, pasted, pastedName).
 * A route rather than a server action: a zip of scripts is larger than Next's 1 MB server-action body limit.
 */
export const POST = route({ roles: ["admin"] }, async ({ req, user }) => {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { userMessage: "Send the scripts as multipart/form-data.", status: 415 });
  }
  const body = await readCapped(req, MAX_REQUEST_BYTES);
  let form: FormData;
  try {
    form = await new Response(body as BodyInit, { headers: { "content-type": type } }).formData();
  } catch {
    throw new AppError("INVALID_FORM", { userMessage: "The upload could not be read as a form.", status: 400 });
  }
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v : undefined;
  };
  const input = uploadScriptsSchema.parse({ tenantId: text("tenantId"), modulePath: text("modulePath"), pasted: text("pasted"), pastedName: text("pastedName") });
  const files = form.getAll("files").filter((f): f is File => typeof f !== "string" && f.size > 0);
  const uploads = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  const result = await uploadScripts(user, {
    tenantId: input.tenantId,
    modulePath: input.modulePath,
    uploads,
    pasted: input.pasted ? { name: input.pastedName, text: input.pasted } : undefined,
  });
  return Response.json(result, { status: 201 });
});
