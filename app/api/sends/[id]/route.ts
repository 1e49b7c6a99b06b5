import { NextResponse } from "next/server";
import { route } from "@/lib/api";
import { getSendStatus } from "@/lib/sends/send-status";

// The compose page polls this: status, attempts, "retrying in N s", the explanation on failure.
export const GET = route({}, async ({ user, params }) => {
  return NextResponse.json(await getSendStatus(user, String(params.id)), { headers: { "cache-control": "no-store" } });
});
