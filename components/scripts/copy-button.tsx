"use client";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

/** Copies a converted script to the clipboard. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      aria-label={label}
      onClick={() => {
        void navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            toast.success("Converted script copied.");
          },
          () => toast.error("The browser refused the clipboard: download the file instead."),
        );
      }}
    >
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}
