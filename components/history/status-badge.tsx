import { Badge } from "@/components/ui/card";
import { STATUS_LABELS, type SEND_STATUSES } from "@/lib/schemas/history";

const TONES = { accepted: "good", failed: "bad", uncertain: "warn", retrying: "warn", queued: "neutral", sending: "neutral" } as const;

export function StatusBadge({ status }: { status: string }) {
  const s = status as (typeof SEND_STATUSES)[number];
  return <Badge tone={TONES[s] ?? "neutral"}>{STATUS_LABELS[s] ?? status}</Badge>;
}
