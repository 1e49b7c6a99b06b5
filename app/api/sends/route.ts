import { NextResponse } from "next/server";
import { route } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { queueSend } from "@/lib/sends/queue-send";
import { kickSend } from "@/lib/outbox/worker";

// Queues a send (the compose schema as JSON) and hands it to this instance's outbox worker at once.
// `json: true`: route() refuses any other Content-Type (415), so a cross-site `enctype="text/plain"` form
// whose body merely looks like JSON is never parsed (and route() refuses its Origin first anyway).
export const POST = route({ roles: ["admin", "sender"], json: true }, async ({ req, user }) => {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new AppError("INVALID_JSON", { userMessage: "The request body is not valid JSON.", status: 400 });
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new AppError("INVALID_JSON", { userMessage: "Send a JSON object.", status: 400 });
  const { id } = await queueSend({ ...(body as Record<string, unknown>), actor: user }, { origin: "api" });
  kickSend(id);
  return NextResponse.json({ id, status: "queued" }, { status: 201 });
});
