import { route } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { exportStream } from "@/lib/history/export-sends";
import { exportFormatSchema, filterErrors, historyFilterSchema, paramsRecord } from "@/lib/schemas/history";

export const dynamic = "force-dynamic";

/**
 * GET /api/history/export?format=csv|json&<the history filters>: the whole filtered view, streamed in
 * keyset batches (never loaded in memory), scoped to the caller like the list.
 */
export const GET = route({}, async ({ req, user }) => {
  const raw = paramsRecord(req.nextUrl.searchParams);
  const format = exportFormatSchema.safeParse(raw.format ?? "csv");
  const filter = historyFilterSchema.safeParse(raw);
  if (!format.success || !filter.success) {
    throw new AppError("VALIDATION_FAILED", {
      userMessage: "The export has invalid filters.",
      status: 422,
      fields: { ...(format.success ? {} : { format: "Choose csv or json." }), ...(filter.success ? {} : filterErrors(filter.error)) },
    });
  }
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
  const ext = format.data;
  return new Response(exportStream(user, filter.data, ext), {
    headers: {
      "Content-Type": ext === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="sends-${stamp}.${ext}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
