import { keyRoute } from "@/lib/api-v1/key-route";
import { AppError } from "@/lib/errors";
import { MAX_ATTACHMENT_BYTES } from "@/lib/schemas/compose";
import { saveUpload, uploadOwnerOfKey } from "@/lib/sends/upload-store";

// Streams a large attachment to the upload store (never buffered), owned by the key and admitted under
// its upload quota (lib/sends/upload-quota.ts); the returned id goes in a message's attachmentIds.
export const POST = keyRoute({ countRate: true }, async ({ req, key }) => {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_ATTACHMENT_BYTES) {
    throw new AppError("UPLOAD_TOO_LARGE", { userMessage: "The file is larger than 150 MB, Graph's limit per attachment.", status: 413 });
  }
  const name = req.nextUrl.searchParams.get("name") ?? "attachment";
  const meta = await saveUpload({
    ownerId: uploadOwnerOfKey(key.id),
    name,
    contentType: req.headers.get("content-type"),
    body: req.body,
    declaredBytes: Number.isSafeInteger(declared) && declared > 0 ? declared : null,
  });
  return Response.json({ id: meta.id, name: meta.name, size: meta.size, contentType: meta.contentType, sha256: meta.sha256 }, { status: 201 });
});
