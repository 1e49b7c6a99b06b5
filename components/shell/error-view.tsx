"use client";
import Link from "next/link";
import { buttonClass } from "../ui/button";
import { StatusPage } from "./status-page";

/**
 * What an unexpected failure shows: a sentence, a retry, the way home, and the digest Next gives the error
 * (a hash the server logged it under) for a support ticket. Never the message or the stack: in the browser
 * they can carry internals (https://nextjs.org/docs/app/api-reference/file-conventions/error#errordigest).
 */
export function ErrorView({ error, reset }: { error: Error & { digest?: string }; reset?: () => void }) {
  return (
    <StatusPage
      code="500"
      title="Something went wrong"
      actions={
        <>
          {reset ? (
            <button type="button" className={buttonClass()} onClick={reset}>
              Try again
            </button>
          ) : null}
          <Link href="/" className={buttonClass(reset ? "secondary" : "primary")}>
            Back to the dashboard
          </Link>
        </>
      }
    >
      <p>The portal could not show this page. Nothing you submitted was lost on our side; try again in a moment.</p>
      {error.digest ? (
        <p className="mt-3 text-sm text-fg-subtle">
          Reference for support: <code className="rounded bg-sunken px-1.5 py-0.5 text-fg">{error.digest}</code>
        </p>
      ) : null}
    </StatusPage>
  );
}
