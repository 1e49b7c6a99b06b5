import type { ReactNode } from "react";

/** The body of the 404 and error pages: a code, a sentence, and the way back (in the shell or the centred frame). */
export function StatusPage({ code, title, children, actions }: { code: string; title: string; children: ReactNode; actions: ReactNode }) {
  return (
    <div className="mx-auto max-w-lg py-10 text-center sm:py-16">
      <p className="font-mono text-sm font-semibold tracking-widest text-primary-soft-fg">{code}</p>
      <h1 className="mt-3 text-2xl font-semibold sm:text-3xl">{title}</h1>
      <div className="mt-3 text-base text-fg-muted">{children}</div>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-3">{actions}</div>
    </div>
  );
}
