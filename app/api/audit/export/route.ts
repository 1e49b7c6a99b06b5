import { route } from "@/lib/api";
import { exportAudit } from "@/lib/audit/export-audit";
import { AppError } from "@/lib/errors";
import { auditFilterSchema, filterErrors, paramsRecord } from "@/lib/schemas/audit";

export const dynamic = "force-dynamic";

/**
 * GET /api/audit/export?<the audit filters>: the whole filtered trail as CSV, streamed in keyset batches.
 * Admins and auditors only (checked here and again in lib/audit). Reading never changes anything.
 */
export const GET = route({ roles: ["admin", "auditor"] }, async ({ req, user }) => {
  const filter = auditFilterSchema.safeParse(paramsRecord(req.nextUrl.searchParams));
  if (!filter.success) {
    throw new AppError("VALIDATION_FAILED", {
      userMessage: "The export has invalid filters.",
      status: 422,
      fields: filterErrors(filter.error),
    });
  }
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
  return new Response(exportAudit(user, filter.data), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
