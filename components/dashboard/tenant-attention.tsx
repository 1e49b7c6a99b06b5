import Link from "next/link";
import { Badge } from "@/components/ui/card";
import type { TenantAttention as Item } from "@/lib/dashboard/tenant-attention";

/** Tenants that cannot send safely yet, each with the step to act on (admins) or its name (auditors). */
export function TenantAttention({ items, canAct }: { items: Item[]; canAct: boolean }) {
  return (
    <ul className="space-y-2 text-sm" data-testid="tenant-attention">
      {items.map((i) => (
        <li key={`${i.tenantId}:${i.kind}`} className="flex flex-wrap items-baseline gap-2">
          <Badge tone="warn">{i.kind === "setup" ? "Not set up" : "Not proved"}</Badge>
          <span className="font-medium" id={`attention-${i.tenantId}-${i.kind}`}>{i.tenantName}</span>
          <span className="text-slate-600 dark:text-slate-400">{i.problem}</span>
          {/* The tenant is the link's description, not part of its name: a tenant's name is free text. */}
          {canAct ? (
            <Link href={i.href} aria-describedby={`attention-${i.tenantId}-${i.kind}`} className="text-brand-600 underline">
              {i.action}
            </Link>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
