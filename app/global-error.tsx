"use client";
import { CenteredFrame } from "@/components/shell/centered-frame";
import { ErrorView } from "@/components/shell/error-view";
import "./globals.css";

/** The last resort, when the root layout itself failed: it replaces the whole document, so it brings <html>. */
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <CenteredFrame>
          <ErrorView error={error} />
        </CenteredFrame>
      </body>
    </html>
  );
}
