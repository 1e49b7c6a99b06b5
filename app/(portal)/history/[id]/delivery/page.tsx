import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeliveryBadge } from "@/components/history/delivery-card";
import { utc } from "@/components/history/format";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { deliveryEvents } from "@/lib/delivery/delivery-events";
import { AppError } from "@/lib/errors";
import { isEmail } from "@/lib/schemas/common";

export const metadata: Metadata = { title: "Delivery events" };

/** One recipient's message trace events (getDetailsByRecipient), read from Microsoft when opened. */
export default async function DeliveryEventsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ recipient?: string | string[] }> }) {
  const user = await pageUser();
  const { id } = await params;
  const raw = (await searchParams).recipient;
  const recipient = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || !isEmail(recipient)) notFound();
  let result: Awaited<ReturnType<typeof deliveryEvents>> | null = null;
  let problem: string | null = null;
  try {
    result = await deliveryEvents(user, id, recipient);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    if (err instanceof AppError && err.code === "TRACE_UNAVAILABLE") problem = err.userMessage;
    else throw err;
  }
  return (
    <>
      <p className="mb-2 text-sm"><Link href={`/history/${id}`} className="text-brand-600 underline">← The send</Link></p>
      <PageHeader title={`Delivery events for ${recipient}`} description={result ? <DeliveryBadge status={result.status} /> : undefined} />
      <Card title="Message trace events">
        {problem ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">{problem}</p>
        ) : result && result.events.length ? (
          <table className="w-full text-sm">
            <caption className="sr-only">Events reported by Exchange message trace</caption>
            <thead><tr className="text-left text-slate-500"><th scope="col">When (UTC)</th><th scope="col">Event</th><th scope="col">Action</th><th scope="col">Description</th></tr></thead>
            <tbody>
              {result.events.map((e, i) => (
                <tr key={i} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-1 pr-2 whitespace-nowrap">{utc(e.dateTime ? new Date(e.dateTime) : null)}</td>
                  <td className="py-1 pr-2 font-medium">{e.event}</td>
                  <td className="py-1 pr-2">{e.action || "—"}</td>
                  <td className="py-1 break-words">{e.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-slate-500">Message trace has no events for this recipient yet.</p>
        )}
      </Card>
    </>
  );
}
