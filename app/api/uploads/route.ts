import { NextResponse } from "next/server";
import { route } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { MAX_ATTACHMENT_BYTES } from "@/lib/schemas/compose";
import { saveUpload } from "@/lib/sends/upload-store";

// Streams an attachment from the browser to disk (request.body, never buffered; proxy.ts does not
// match this path, so Next does not clone the body either). ?name= carries the file name, sanitised.
export const POST = route({ roles: ["admin", "sender"] }, async ({ req, user }) => {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_ATTACHMENT_BYTES) {
    throw new AppError("UPLOAD_TOO_LARGE", { userMessage: "The file is larger than 150 MB, Graph's limit per attachment.", status: 413 });
  }
  const name = req.nextUrl.searchParams.get("name") ?? "attachment";
  // Admitted under the person's upload quotas first (count, bytes, at once, disk floor): lib/sends/upload-quota.ts.
  const meta = await saveUpload({ ownerId: user.id, name, contentType: req.headers.get("content-type"), body: req.body, declaredBytes: Number.isSafeInteger(declared) && declared > 0 ? declared : null });
  return NextResponse.json({ id: meta.id, name: meta.name, size: meta.size, contentType: meta.contentType, sha256: meta.sha256 }, { status: 201 });
});
