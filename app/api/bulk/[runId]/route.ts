import { NextResponse } from "next/server";
import { route } from "@/lib/api";
import { runProgress, runRecipients } from "@/lib/bulk/run-view";

// The run's page polls this every two seconds: counts, the estimate, each recipient's result.
export const GET = route({}, async ({ user, params }) => {
  const id = String(params.runId);
  const [progress, recipients] = await Promise.all([runProgress(user, id), runRecipients(user, id)]);
  return NextResponse.json({ ...progress, recipients }, { headers: { "cache-control": "no-store" } });
});
