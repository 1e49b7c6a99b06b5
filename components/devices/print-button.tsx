"use client";
import { Button } from "@/components/ui/button";

/** Opens the browser's print dialog; the card's print stylesheet prints the card alone. */
export function PrintButton() {
  return (
    <Button variant="secondary" className="!px-3 !py-1" onClick={() => window.print()}>
      Print
    </Button>
  );
}
