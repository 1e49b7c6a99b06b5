import { CenteredFrame } from "@/components/shell/centered-frame";
// Sign-in pages read the session and the tenants list: render at request time.
export const dynamic = "force-dynamic";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return <CenteredFrame>{children}</CenteredFrame>;
}
