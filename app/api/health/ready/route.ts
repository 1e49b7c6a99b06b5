import { NextResponse } from "next/server";
import { readiness } from "@/lib/health/readiness";

export const dynamic = "force-dynamic";

/** Readiness for load balancers: 200 `ready` or 503 `not ready`, with each check's detail (lib/health/readiness.ts). */
export async function GET() {
  const r = await readiness();
  return NextResponse.json({ status: r.ready ? "ready" : "not ready", checks: r.checks }, { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
