"use client";
import { ErrorView } from "@/components/shell/error-view";

/** An unexpected error in a portal page: shown inside the shell (this boundary sits under the (portal) layout). */
export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorView error={error} reset={reset} />;
}
