import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { deviceFormOptions } from "@/lib/devices/device-form-options";
import { NewDevice } from "./new-device";

export const metadata: Metadata = { title: "Add device" };

export default async function NewDevicePage() {
  const user = await pageUser(["admin"]);
  const tenants = await deviceFormOptions(user);
  return (
    <>
      <PageHeader
        title="Add device"
        description={
          <>
            A printer, scanner or app that only speaks SMTP. It gets its own username and password (shown once) and sends only as the mailboxes you grant
            it. <Link href="/devices" className="text-brand-600 underline">Back to devices</Link>
          </>
        }
      />
      <Card>
        <NewDevice tenants={tenants} />
      </Card>
    </>
  );
}
