import type { ReactNode } from "react";
import type { Role } from "@/generated/prisma/enums";
import { Brand } from "./brand";
import { MobileNav } from "./mobile-nav";
import { NavLinks, type NavItem } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

const NAV: (NavItem & { roles?: Role[] })[] = [
  { href: "/", label: "Dashboard" },
  { href: "/setup", label: "Setup", roles: ["admin"] },
  { href: "/senders", label: "Senders", roles: ["admin", "auditor"] },
  { href: "/compose", label: "Compose", roles: ["admin", "sender"] },
  { href: "/bulk", label: "Bulk" },
  { href: "/history", label: "History" },
  { href: "/audit", label: "Audit", roles: ["admin", "auditor"] },
  { href: "/scripts", label: "Scripts", roles: ["admin", "auditor"] },
  { href: "/keys", label: "API keys", roles: ["admin", "auditor"] },
  { href: "/devices", label: "Devices", roles: ["admin", "auditor"] },
  { href: "/settings", label: "Settings" },
];

/**
 * The signed-in frame: a sidebar from the md breakpoint up; below it a top bar whose menu button opens the
 * same links in a sheet (MobileNav), so nothing runs off a 390 px screen.
 */
export function AppShell({ user, children }: { user: { name: string | null; email: string; role: Role }; children: ReactNode }) {
  const items = NAV.filter((n) => !n.roles || n.roles.includes(user.role));
  return (
    <div className="min-h-screen md:grid md:grid-cols-[15rem_minmax(0,1fr)]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded-control focus:bg-raised focus:px-3 focus:py-2 focus:text-fg focus:shadow-overlay"
      >
        Skip to content
      </a>
      <aside className="hidden border-r border-line bg-raised md:block">
        <div className="sticky top-0 flex max-h-screen flex-col gap-6 overflow-y-auto px-3 py-5">
          <div className="px-2">
            <Brand />
          </div>
          <nav aria-label="Main">
            <NavLinks items={items} />
          </nav>
        </div>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b border-line bg-raised/90 px-3 backdrop-blur sm:px-6">
          <MobileNav items={items} />
          <div className="min-w-0 md:hidden">
            <Brand compact />
          </div>
          <div className="ml-auto flex min-w-0 items-center gap-3 text-sm">
            <span className="min-w-0 truncate text-fg-muted">
              <span className="font-medium text-fg" data-testid="user-name">
                {user.name ?? user.email}
              </span>{" "}
              <span className="hidden sm:inline">({user.role})</span>
            </span>
            <SignOutButton />
          </div>
        </header>
        {/* min-w-0 + overflow-x-auto: a wide table (History, Audit, Bulk…) scrolls inside the content area on a
            phone instead of widening the whole page past the screen (e2e/accessibility.spec.ts, 390 px). */}
        <main id="main" className="mx-auto w-full min-w-0 max-w-6xl flex-1 overflow-x-auto px-4 py-6 sm:px-6 sm:py-8">
          {children}
        </main>
      </div>
    </div>
  );
}
