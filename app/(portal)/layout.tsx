import { CenteredFrame } from "@/components/shell/centered-frame";
import { AppShell } from "@/components/shell/app-shell";
import { currentUser } from "@/lib/auth/session";

// Every portal page is per-user: render at request time (also keeps `next build` free of runtime secrets).
export const dynamic = "force-dynamic";

// Pages check the user themselves (lib/auth/page-user.ts); the layout only decides the frame, so the
// first-run claim on /setup can render without a session.
export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) {
    return <CenteredFrame>{children}</CenteredFrame>;
  }
  return <AppShell user={user}>{children}</AppShell>;
}
