import Link from "next/link";
import type { ReactNode } from "react";
import type { Role } from "@/generated/prisma/enums";
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
  { href: "/scripts", label: "Scripts", roles: ["admin"] },
  { href: "/keys", label: "API keys", roles: ["admin", "auditor"] },
  { href: "/settings", label: "Settings" },
];

export function AppShell({ user, children }: { user: { name: string | null; email: string; role: Role }; children: ReactNode }) {
  const items = NAV.filter((n) => !n.roles || n.roles.includes(user.role));
  return (
    <div className="min-h-screen md:grid md:grid-cols-[15rem_1fr]">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <aside className="border-b border-slate-200 bg-white px-4 py-3 md:min-h-screen md:border-b-0 md:border-r md:py-6 dark:border-slate-800 dark:bg-slate-900">
        <Link href="/" className="mb-4 flex items-center gap-2 font-semibold">
          {/* eslint-disable-next-line @next/next/no-img-element -- a tiny static SVG */}
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Graph Mail Portal
        </Link>
        <nav aria-label="Main">
          <NavLinks items={items} />
        </nav>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white/70 px-6 py-3 text-sm dark:border-slate-800 dark:bg-slate-900/70">
          <span>
            <span className="font-medium" data-testid="user-name">
              {user.name ?? user.email}
            </span>{" "}
            <span className="text-slate-500 dark:text-slate-400">({user.role})</span>
          </span>
          <SignOutButton />
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">
          {children}
        </main>
      </div>
    </div>
  );
}
