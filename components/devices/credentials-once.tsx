"use client";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

function CopyButton({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      className="!px-3 !py-1"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard.writeText(value).then(
          () => {
            setCopied(true);
            toast.success("Copied.");
          },
          () => toast.error("The browser refused the clipboard: select the text and copy it."),
        )
      }
    >
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}

/**
 * A device's SMTP username and its new password, shown once: they live only in this component's props (a
 * server action's answer), so a reload or leaving the page loses the password for good — the portal keeps
 * only its hash.
 */
export function CredentialsOnce({ name, username, password }: { name: string; username: string; password: string | null }) {
  return (
    <section aria-label="Device credentials" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
      <p className="mb-2 font-medium">
        SMTP credentials of {name}
        {password ? " — copy the password now, it is not shown again:" : " (IP-only: no password)"}
      </p>
      <dl className="grid gap-2 sm:grid-cols-[8rem_1fr]">
        <dt className="font-medium">Username</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code data-testid="device-username" className="break-all rounded bg-white px-2 py-1 dark:bg-slate-900">
            {username}
          </code>
          <CopyButton label={`Copy the username of ${name}`} value={username} />
        </dd>
        {password ? (
          <>
            <dt className="font-medium">Password</dt>
            <dd className="flex flex-wrap items-center gap-2">
              <code data-testid="device-password" className="break-all rounded bg-white px-2 py-1 dark:bg-slate-900">
                {password}
              </code>
              <CopyButton label={`Copy the password of ${name}`} value={password} />
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
