import type { ReactNode } from "react";
import { Brand } from "./brand";

/** The frame of the pages before sign-in (sign-in, the first-run claim): the mark above one centred column. */
export function CenteredFrame({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen flex-col items-center justify-center gap-8 px-4 py-10">
      <Brand link={false} />
      <div className="w-full max-w-md">{children}</div>
    </main>
  );
}
