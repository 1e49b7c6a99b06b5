"use client";
import * as Dialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

/**
 * A panel that slides in from a side of the screen (the mobile navigation, filter drawers), shadcn-style on
 * Radix Dialog (https://www.radix-ui.com/primitives/docs/components/dialog): focus is trapped and returned
 * to the trigger, Escape and the overlay close it, and the title labels it for screen readers.
 */
export function Sheet({
  trigger,
  title,
  description,
  side = "left",
  open,
  onOpenChange,
  onCloseAutoFocus,
  children,
}: {
  /** The button that opens it; left out when the caller keeps its own button (then it says where focus returns). */
  trigger?: ReactNode;
  onCloseAutoFocus?: (event: Event) => void;
  title: string;
  description?: string;
  side?: "left" | "right";
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
}) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      {trigger ? <Dialog.Trigger asChild>{trigger}</Dialog.Trigger> : null}
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-overlay" />
        <Dialog.Content
          {...(description ? {} : { "aria-describedby": undefined })}
          {...(onCloseAutoFocus ? { onCloseAutoFocus } : {})}
          className={`fixed inset-y-0 z-50 flex w-[min(20rem,85vw)] flex-col gap-4 overflow-y-auto border-line bg-raised p-5 shadow-overlay focus:outline-none ${side === "left" ? "left-0 border-r" : "right-0 border-l"}`}
        >
          <div className="flex items-center justify-between gap-3">
            <Dialog.Title className="text-base font-semibold">{title}</Dialog.Title>
            <Dialog.Close className="inline-flex size-9 items-center justify-center rounded-control text-fg-muted hover:bg-sunken hover:text-fg" aria-label="Close">
              <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
                <path d="M5 5l10 10M15 5L5 15" />
              </svg>
            </Dialog.Close>
          </div>
          {description ? <Dialog.Description className="text-sm text-fg-muted">{description}</Dialog.Description> : null}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
