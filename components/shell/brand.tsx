import Link from "next/link";

/**
 * The portal's mark and name; `compact` keeps only the mark on narrow screens. Signed in it links home;
 * before sign-in (`link={false}`) it is not a link: a prefetched "/" would be cached by the router as the
 * redirect to /sign-in and replayed after signing in.
 */
export function Brand({ compact = false, link = true }: { compact?: boolean; link?: boolean }) {
  const content = (
    <>
      {/* eslint-disable-next-line @next/next/no-img-element -- a tiny static SVG */}
      <img src="/favicon.svg" alt="" width={28} height={28} className="shrink-0" />
      <span className={compact ? "sr-only sm:not-sr-only sm:truncate" : "truncate"}>Graph Mail Portal</span>
    </>
  );
  const className = "flex min-w-0 items-center gap-2.5 rounded-control font-semibold tracking-tight text-fg";
  return link ? (
    <Link href="/" className={className}>
      {content}
    </Link>
  ) : (
    <p className={className}>{content}</p>
  );
}
