"use client";
import { Sheet } from "../ui/sheet";
import { NavLinks, type NavItem } from "./nav-links";

/** The mobile navigation's sheet (Radix Dialog): loaded by MobileNav on the first press of its button. */
export function MobileNavSheet({ items, open, onOpenChange, onCloseAutoFocus }: { items: NavItem[]; open: boolean; onOpenChange: (open: boolean) => void; onCloseAutoFocus: (event: Event) => void }) {
  return (
    <Sheet open={open} onOpenChange={onOpenChange} onCloseAutoFocus={onCloseAutoFocus} title="Graph Mail Portal">
      <nav aria-label="Main">
        <NavLinks items={items} onNavigate={() => onOpenChange(false)} />
      </nav>
    </Sheet>
  );
}
