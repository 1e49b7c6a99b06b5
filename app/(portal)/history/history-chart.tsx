import { Card } from "@/components/ui/card";
import { DailyChart } from "@/components/history/daily-chart";
import { SenderVolume } from "@/components/history/sender-volume";
import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { sendStats } from "@/lib/history/send-stats";
import { EXCHANGE_LIMITS } from "@/lib/schemas/common";
import type { HistoryFilter } from "@/lib/schemas/history";

/**
 * The chart under History's table, as its own async server component: the page renders it inside a
 * <Suspense> boundary (https://nextjs.org/docs/app/getting-started/linking-and-navigating#streaming), so
 * the table streams first and never waits for the counts.
 */
export async function HistoryChart({ user, filter }: { user: SessionUser; filter: HistoryFilter }) {
  let stats;
  try {
    stats = await sendStats(user, filter);
  } catch (err) {
    // A filter the table already reported (the page shows its field errors): no chart for it.
    if (err instanceof AppError && err.fields) return null;
    throw err;
  }
  return (
    <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
      <Card title={`Sends per day, ${stats.range.from} to ${stats.range.to}`}>
        <DailyChart bars={stats.bars} />
      </Card>
      <Card title="Sender volume against Exchange limits">
        <p className="mb-3 text-xs text-slate-600 dark:text-slate-400">
          Exchange Online allows each mailbox {EXCHANGE_LIMITS.messagesPerMinute} messages a minute and {EXCHANGE_LIMITS.recipientsPerDay.toLocaleString("en-US")} recipients a day.
          {stats.peakScope === "mailbox" ? " The busiest minute is each mailbox's own over these days, whatever else the filter narrows, as Exchange's limit is per mailbox." : null}
        </p>
        <SenderVolume rows={stats.senders} limits={EXCHANGE_LIMITS} />
      </Card>
    </div>
  );
}

/** While the counts load: the same two cards, so the page does not jump when they arrive. */
export function HistoryChartFallback() {
  return (
    <div className="grid gap-4 lg:grid-cols-[3fr_2fr]" aria-busy="true">
      <Card title="Sends per day">
        <p className="text-sm text-slate-500">Counting sends…</p>
      </Card>
      <Card title="Sender volume against Exchange limits">
        <p className="text-sm text-slate-500">Counting sends…</p>
      </Card>
    </div>
  );
}
