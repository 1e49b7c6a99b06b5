import { Badge } from "@/components/ui/card";
import { STATUS_LABELS, type SendStatus } from "@/lib/glossary";

const TONES = { accepted: "good", failed: "bad", uncertain: "warn", retrying: "warn", queued: "neutral", sending: "neutral" } as const;

export function StatusBadge({ status }: { status: string }) {
  const s = status as SendStatus;
  return <Badge tone={TONES[s] ?? "neutral"}>{STATUS_LABELS[s] ?? status}</Badge>;
}
