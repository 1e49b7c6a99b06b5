"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { STEP_LABELS, WIZARD_STEPS } from "@/lib/schemas/wizard";

/**
 * The wizard's steps, one URL each. Steps up to the furthest one reached are links (any can be revisited);
 * later ones are plain text until their turn comes.
 */
export function Stepper({ tenantId, reached }: { tenantId: string; reached: number }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Setup steps" className="mb-6">
      <ol className="flex flex-wrap gap-2 text-sm">
        {WIZARD_STEPS.map((step, i) => {
          const href = `/setup/${tenantId}/${step}`;
          const current = pathname === href;
          const label = `${i + 1}. ${STEP_LABELS[step]}`;
          const base = "inline-block rounded-full border px-3 py-1";
          return (
            <li key={step}>
              {i <= reached ? (
                <Link
                  href={href}
                  aria-current={current ? "step" : undefined}
                  className={`${base} ${current ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"}`}
                >
                  {label}
                </Link>
              ) : (
                <span className={`${base} border-dashed border-slate-300 text-slate-400 dark:border-slate-700`} aria-disabled="true">
                  {label}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
