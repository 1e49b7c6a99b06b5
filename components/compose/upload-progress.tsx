"use client";
import * as Progress from "@radix-ui/react-progress";

/**
 * One upload's progress: a labelled bar (Radix Progress: role="progressbar" with aria-valuenow/-min/-max
 * and the percent as aria-valuetext) and the percent or outcome in words beside it, in the portal's colours
 * instead of the browser's default <progress>.
 */
export function UploadProgress({ label, fraction, detail }: { label: string; fraction: number; detail?: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  return (
    <div className="flex min-w-0 items-center gap-2">
      <Progress.Root
        value={percent}
        max={100}
        aria-label={label}
        getValueLabel={(value) => `${value}%`}
        className="relative h-2 w-40 shrink-0 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
      >
        <Progress.Indicator
          className={`h-full w-full rounded-full transition-transform duration-200 motion-reduce:transition-none ${percent === 100 ? "bg-emerald-600 dark:bg-emerald-400" : "bg-brand-600 dark:bg-brand-500"}`}
          style={{ transform: `translateX(-${100 - percent}%)` }}
        />
      </Progress.Root>
      <span className="text-xs tabular-nums text-slate-600 dark:text-slate-300">{detail ?? `${percent}%`}</span>
    </div>
  );
}
