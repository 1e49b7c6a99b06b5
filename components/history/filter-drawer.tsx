"use client";
import * as Dialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";
import { buttonClass } from "@/components/ui/button";

/**
 * History's (and Audit's) filters on narrow screens: a button that opens them in a drawer, so the first screen of a
 * phone shows the sends rather than thirteen fields. Radix Dialog (https://www.radix-ui.com/primitives/docs/components/dialog)
 * gives the focus trap, Escape to close, focus returned to the button and the labelled dialog role.
 * Only for narrow screens (md:hidden): wider ones show the same form above the list.
 */
export function FilterDrawer({ active, title = "Filter sends", children }: { active: number; title?: string; children: ReactNode }) {
  return (
    <Dialog.Root>
      <Dialog.Trigger className={buttonClass("secondary")}>
        Filters{active > 0 ? ` (${active} on)` : ""}
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-950/50 md:hidden" />
        <Dialog.Content className="fixed inset-y-0 right-0 z-50 flex md:hidden w-full max-w-sm flex-col overflow-y-auto bg-white p-5 shadow-xl dark:bg-slate-900">
          <div className="mb-4 flex items-center justify-between gap-3">
            <Dialog.Title className="text-base font-semibold">{title}</Dialog.Title>
            <Dialog.Close className={buttonClass("ghost")}>Close</Dialog.Close>
          </div>
          <Dialog.Description className="mb-4 text-sm text-slate-600 dark:text-slate-400">
            Applying the filters changes the address, so the view can be shared as a link.
          </Dialog.Description>
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
