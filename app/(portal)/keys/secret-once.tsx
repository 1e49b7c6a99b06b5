"use client";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

/**
 * The new key's secret, shown once: it lives only in this component's props (the create action's
 * answer), so a reload or leaving the page loses it for good — the portal keeps only its hash.
 */
export function SecretOnce({ name, secret }: { name: string; secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section aria-label="New key secret" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
      <p className="mb-2 font-medium">Secret of {name} — copy it now, it is not shown again:</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="new-key-secret" className="break-all rounded bg-white px-2 py-1 dark:bg-slate-900">
          {secret}
        </code>
        <Button
          variant="secondary"
          className="!px-3 !py-1"
          aria-label={`Copy the secret of ${name}`}
          onClick={() =>
            void navigator.clipboard.writeText(secret).then(
              () => {
                setCopied(true);
                toast.success("Secret copied.");
              },
              () => toast.error("The browser refused the clipboard: select the secret and copy it."),
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </section>
  );
}
