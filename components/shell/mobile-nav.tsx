"use client";
import dynamic from "next/dynamic";
import { forwardRef, useRef, useState, type ComponentPropsWithoutRef } from "react";
import type { NavItem } from "./nav-links";

/** The menu button: the same element before and after the sheet's code has arrived. */
const MenuButton = forwardRef<HTMLButtonElement, ComponentPropsWithoutRef<"button">>(function MenuButton(props, ref) {
  return (
    <button
      ref={ref}
      type="button"
      aria-label="Open the menu"
      className="inline-flex size-10 items-center justify-center rounded-control text-fg-muted hover:bg-sunken hover:text-fg md:hidden"
      {...props}
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
        <path d="M3 5h14M3 10h14M3 15h14" />
      </svg>
    </button>
  );
});

// The sheet (Radix Dialog) is fetched on the first press, not on every page's first load: every page carries
// the shell, and Compose's first load has a budget (issue 15, npm run bench:startup).
const MobileNavSheet = dynamic(() => import("./mobile-nav-sheet").then((m) => m.MobileNavSheet), { ssr: false });

/** Below the md breakpoint the sidebar folds into this button and a sheet with the same links. */
export function MobileNav({ items }: { items: NavItem[] }) {
  const [wanted, setWanted] = useState(false);
  const [open, setOpen] = useState(false);
  // One button for the page's life (the sheet arrives later): closing the sheet gives focus back to it.
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <MenuButton
        ref={button}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => {
          setWanted(true);
          setOpen(true);
        }}
      />
      {wanted ? (
        <MobileNavSheet
          items={items}
          open={open}
          onOpenChange={setOpen}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            button.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}
