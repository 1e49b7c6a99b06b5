/**
 * Delivery statuses as message trace reports them (exchangeMessageTraceStatus:
 * learn.microsoft.com/graph/api/resources/exchangemessagetrace), and the summary a send gets in History.
 * Browser-safe: shared by the lib, History's pages and the API's view.
 */
import { DELIVERY_LABELS } from "../glossary";

export const TRACE_STATUSES = ["delivered", "pending", "failed", "quarantined", "filteredAsSpam", "expanded", "gettingStatus"] as const;

/** Statuses after which message trace will not change its mind. */
export const FINAL_STATUSES = new Set(["delivered", "failed", "quarantined", "filteredAsSpam", "expanded"]);
/** After acceptance, these mean the recipient did not get the message in their inbox. */
export const FAILED_STATUSES = new Set(["failed", "quarantined", "filteredAsSpam"]);

export type DeliveryState = "pending" | "delivered" | "failed";

/** A send's delivery from its recipients': any failed → failed; all final → delivered; else pending. */
export function deliverySummary(statuses: string[]): DeliveryState {
  if (statuses.some((s) => FAILED_STATUSES.has(s))) return "failed";
  if (statuses.length > 0 && statuses.every((s) => FINAL_STATUSES.has(s))) return "delivered";
  return "pending";
}

/** A recipient's trace status; the three a send's summary also has use the glossary's words (lib/glossary.ts). */
export const STATUS_LABEL: Record<string, string> = {
  delivered: DELIVERY_LABELS.delivered,
  pending: DELIVERY_LABELS.pending,
  failed: DELIVERY_LABELS.failed,
  quarantined: "Quarantined",
  filteredAsSpam: "Filtered as spam",
  expanded: "Expanded (group)",
  gettingStatus: "Getting status",
};

export const statusLabel = (s: string) => STATUS_LABEL[s] ?? s;
