/**
 * The portal's words for what happens to a send, in one place: History, the dashboard, status badges,
 * the chart and the filters read them from here, so one state never has two names on two screens.
 * Browser-safe (no server imports).
 *
 * "Accepted by Microsoft" is what Graph's 202 means: Exchange Online took the message for delivery, and
 * delivery is a separate step that message trace reports later
 * (https://learn.microsoft.com/graph/api/user-sendmail — "202 Accepted"; delivery:
 * https://learn.microsoft.com/graph/api/resources/exchangemessagetrace).
 */

export const SEND_STATUSES = ["queued", "sending", "retrying", "accepted", "failed", "uncertain"] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

export const STATUS_LABELS: Record<SendStatus, string> = {
  queued: "Queued",
  sending: "Sending",
  retrying: "Retrying",
  accepted: "Accepted by Microsoft",
  failed: "Failed",
  uncertain: "Uncertain",
};

/** One sentence per status, for hints and the dashboard. */
export const STATUS_HINTS: Record<SendStatus, string> = {
  queued: "Waiting in the outbox (also while a mailbox is paced to Exchange's limits).",
  sending: "Being handed to Microsoft Graph now.",
  retrying: "Microsoft asked to slow down or was unavailable; the outbox tries again.",
  accepted: "Microsoft Graph answered 202: Exchange Online took the message for delivery.",
  failed: "Refused for good, or still refused after the outbox's retries. Nothing was sent.",
  uncertain: "The call timed out after it reached Microsoft: the message may or may not have gone.",
};

/**
 * A bulk run's recipient, before and after its send exists (prisma BulkRecipient.status): the send's own
 * statuses keep their names; "refused" means the portal never queued the message (it was invalid), so
 * nothing was sent either — it counts with the failures.
 */
export const RECIPIENT_STATUSES = [...SEND_STATUSES, "pending", "skipped", "refused"] as const;
export const RECIPIENT_LABELS: Record<(typeof RECIPIENT_STATUSES)[number], string> = {
  ...STATUS_LABELS,
  pending: "Waiting",
  skipped: "Skipped",
  refused: "Refused by the portal",
};

/** Delivery after acceptance (message trace, lib/delivery), as a send's summary and as History's filter. */
export const DELIVERY_FILTERS = ["delivered", "failed", "pending"] as const;
export const DELIVERY_LABELS: Record<(typeof DELIVERY_FILTERS)[number], string> = {
  delivered: "Delivered",
  failed: "Not delivered",
  pending: "Delivery pending",
};

/** The chart's series: accepted sends split by what message trace reported (untraced stay "accepted"). */
export const CHART_SERIES = ["queued", "sending", "retrying", "accepted", "delivered", "undelivered", "failed", "uncertain"] as const;
export const CHART_LABELS: Record<(typeof CHART_SERIES)[number], string> = {
  ...STATUS_LABELS,
  delivered: DELIVERY_LABELS.delivered,
  undelivered: DELIVERY_LABELS.failed,
};

export const SEND_MODES = ["app", "delegated", "api", "bulk", "smtp"] as const;
export const MODE_LABELS: Record<(typeof SEND_MODES)[number], string> = {
  app: "Application",
  delegated: "Delegated",
  api: "API key",
  bulk: "Bulk",
  smtp: "SMTP device",
};

/** History's filter for the setup wizard's restriction tests (left out by default). */
export const TEST_FILTERS = ["include", "only"] as const;
export const TEST_FILTER_LABELS: Record<"" | (typeof TEST_FILTERS)[number], string> = {
  "": "Leave out",
  include: "Include",
  only: "Only these",
};

/** Other terms that appear on more than one screen. */
export const TERMS = {
  deadLetters: "Dead letters",
  /** The setup wizard's Prove step sends: meant to be refused outside the restriction, never counted. */
  wizardTests: "Setup wizard tests",
  wizardTest: "Setup wizard test",
  notDelivered: DELIVERY_LABELS.failed,
  needsAction: "Needs action",
} as const;
