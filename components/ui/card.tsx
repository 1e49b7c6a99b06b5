import type { ReactNode } from "react";

export function Card({ title, children, actions, className = "" }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`rounded-card border border-line bg-raised p-5 shadow-card sm:p-6 ${className}`}>
      {title || actions ? (
        <header className="mb-4 flex flex-wrap items-center justify-between gap-3">
          {title ? <h2 className="min-w-0 text-lg font-semibold [overflow-wrap:anywhere]">{title}</h2> : <span />}
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-8 flex flex-wrap items-end justify-between gap-4">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold [overflow-wrap:anywhere] sm:text-3xl">{title}</h1>
        {description ? <p className="mt-2 max-w-3xl text-sm text-fg-muted [overflow-wrap:anywhere] sm:text-base">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

const tones = {
  neutral: "bg-sunken text-fg-muted ring-line",
  good: "bg-success-soft text-success-soft-fg ring-success-border",
  warn: "bg-warning-soft text-warning-soft-fg ring-warning-border",
  bad: "bg-danger-soft text-danger-soft-fg ring-danger-border",
} as const;

export function Badge({ tone = "neutral", children }: { tone?: keyof typeof tones; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}>{children}</span>;
}
