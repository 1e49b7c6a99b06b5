import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { TenantForm } from "@/components/wizard/tenant-form";
import { pageUser } from "@/lib/auth/page-user";
import { sandboxAvailable } from "@/lib/tenants/wizard/sandbox-endpoints";
import { createTenantAction } from "./actions";

export const metadata: Metadata = { title: "Add a tenant" };

export default async function NewTenantPage() {
  await pageUser(["admin"]);
  const sandbox = await sandboxAvailable();
  return (
    <>
      <PageHeader title="Add a tenant" description="Step 1 of 8. Your progress is saved after each step: you can leave and continue later." />
      <StepIntro
        title="Tenant"
        why="The portal needs to know which directory and which Microsoft cloud to sign in to, since each cloud has its own hosts. What you will use it for decides the permissions the app asks for — no more than that."
      />
      {/* In demo mode (the sandbox runs with the portal) the Sandbox cloud is the default: its "Run in the sandbox" buttons need it. */}
      <TenantForm action={createTenantAction} defaults={sandbox ? { cloud: "sandbox" } : {}} sandboxAvailable={sandbox} />
    </>
  );
}
