import { route } from "@/lib/api";
import { ownUpload, removeUpload } from "@/lib/sends/upload-store";

// Removes an attachment the person took off the message before sending.
export const DELETE = route({ roles: ["admin", "sender"] }, async ({ user, params }) => {
  const meta = await ownUpload(user.id, String(params.id));
  if (!meta.sendId) await removeUpload(meta.id);
  return new Response(null, { status: 204 });
});
