"use client";
import { CenteredFrame } from "@/components/shell/centered-frame";
import { ErrorView } from "@/components/shell/error-view";

/** An unexpected error outside the portal's signed-in frame (sign-in pages); the portal has its own (app/(portal)/error.tsx). */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <CenteredFrame>
      <ErrorView error={error} reset={reset} />
    </CenteredFrame>
  );
}
