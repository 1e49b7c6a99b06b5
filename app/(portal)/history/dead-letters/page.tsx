import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { DeadLettersForm } from "@/components/history/dead-letters-form";
import { pageUser } from "@/lib/auth/page-user";
import { DEAD_LETTER_PAGE, listDeadLetters } from "@/lib/dead-letters/list-dead-letters";
import { discardDeadLettersAction, retryDeadLettersAction } from "./actions";

export const metadata: Metadata = { title: "Dead letters" };

export default async function DeadLettersPage() {
  const user = await pageUser(["admin"]);
  const { rows, total } = await listDeadLetters(user);
  return (
    <>
      <PageHeader
        title="Dead letters"
        description={
          <>
            Sends that failed for good: refused by Microsoft or the portal, or still throttled or unavailable after every retry. Retry queues a
            selected message again under the sender&apos;s grants as they are now; discard takes it off this list. Both are recorded in the{" "}
            <Link className="underline" href="/audit">audit log</Link>.
          </>
        }
      />
      <Card title={total > rows.length ? `Newest ${DEAD_LETTER_PAGE} of ${total}` : `${total} dead letter${total === 1 ? "" : "s"}`}>
        {/* Always mounted: the result of the last retry or discard stays shown when it emptied the list. */}
        <DeadLettersForm
          rows={rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), completedAt: r.completedAt?.toISOString() ?? null }))}
          retry={retryDeadLettersAction}
          discard={discardDeadLettersAction}
        />
      </Card>
    </>
  );
}
