import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { safeEqual } from "@/lib/crypto";
import { metrics } from "@/lib/metrics/registry";
import { logError } from "@/lib/log";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics in the text exposition format (lib/metrics/registry.ts). Scrapers authenticate
 * with `Authorization: Bearer <PORTAL_METRICS_TOKEN>`; without that setting the endpoint does not exist.
 */
export async function GET(req: NextRequest) {
  const token = env().PORTAL_METRICS_TOKEN;
  if (!token) return NextResponse.json({ error: { code: "NOT_FOUND", message: "Metrics are off. Set PORTAL_METRICS_TOKEN to turn /metrics on." } }, { status: 404 });
  const m = /^Bearer[ ]+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m || !safeEqual(m[1]!, token)) {
    return NextResponse.json({ error: { code: "UNAUTHENTICATED", message: "Send PORTAL_METRICS_TOKEN as `Authorization: Bearer …`." } }, { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
  }
  try {
    const { registry } = metrics();
    return new NextResponse(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
  } catch (err) {
    logError("metrics: collection failed", err);
    return NextResponse.json({ error: { code: "UNAVAILABLE", message: "Metrics could not be collected (is the database reachable?)." } }, { status: 503 });
  }
}
