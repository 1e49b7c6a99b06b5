import type { ReactNode } from "react";

/** Each step says what it does and why, in two sentences, before asking for anything. */
export function StepIntro({ title, why }: { title: string; why: ReactNode }) {
  return (
    <div className="mb-4">
      <h2 className="text-xl font-semibold">{title}</h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">{why}</p>
    </div>
  );
}
