import "server-only";
import { AppError } from "../errors";

/** A JSON request body, declared `application/json` (415 otherwise) and parseable (400 otherwise), at most 64 MB. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { userMessage: "Send the message as JSON with `Content-Type: application/json`.", status: 415, fields: { "Content-Type": "Use application/json" } });
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > 64 * 1024 * 1024) throw new AppError("BODY_TOO_LARGE", { userMessage: "The request body is over 64 MB. Upload large files with POST /api/v1/uploads and list them in attachmentIds.", status: 413 });
  try {
    return await req.json();
  } catch {
    throw new AppError("INVALID_JSON", { userMessage: "The request body is not valid JSON.", status: 400, fields: { body: "Not valid JSON" } });
  }
}
