import { keyRoute } from "@/lib/api-v1/key-route";
import { messageStatus } from "@/lib/api-v1/message-view";

// One message the key queued: status, attempts, and the explanation of a failure.
export const GET = keyRoute({}, async ({ key, params }) => {
  const id = typeof params.id === "string" ? params.id : "";
  return Response.json(await messageStatus(key, id), { headers: { "cache-control": "no-store" } });
});
