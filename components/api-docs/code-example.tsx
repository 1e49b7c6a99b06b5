"use client";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

/** One example script with a Copy button (the API page's curl, PowerShell and Python). */
export function CodeExample({ title, text }: { title: string; text: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <header className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h3 id={id} className="text-sm font-semibold">
          {title}
        </h3>
        <Button
          variant="secondary"
          className="!px-3 !py-1"
          aria-label={`Copy the ${title} example`}
          onClick={() =>
            void navigator.clipboard.writeText(text).then(
              () => {
                setCopied(true);
                toast.success("Example copied.");
              },
              () => toast.error("The browser refused the clipboard: select the text and copy it."),
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </header>
      <pre tabIndex={0} aria-label={title} className="max-h-96 overflow-auto rounded bg-slate-950 p-3 text-xs leading-relaxed text-slate-100">
        <code>{text}</code>
      </pre>
    </section>
  );
}
