import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CopyButton } from "@/components/scripts/copy-button";
import { ProblemList } from "@/components/scripts/problem-list";
import { SideBySideDiff } from "@/components/scripts/side-by-side-diff";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { ENCODING_LABELS } from "@/lib/scripts/convert/encoding";
import { findScript } from "@/lib/scripts/inventory/find-script";
import { DeleteScriptButton, ReconvertButton } from "../script-row-actions";

export const metadata: Metadata = { title: "Script" };

export default async function ScriptPage({ params }: { params: Promise<{ scriptId: string }> }) {
  const user = await pageUser(["admin", "auditor"]);
  const { scriptId } = await params;
  const script = await findScript(user, scriptId).catch((e: unknown) => {
    if (e instanceof AppError && e.status === 404) notFound();
    throw e;
  });
  const download = `/api/scripts/${script.id}/download`;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/scripts?tenant=${encodeURIComponent(script.tenantId)}`} className="text-brand-600 underline">
          ← Scripts
        </Link>
      </p>
      <PageHeader
        title={script.name}
        description={
          <>
            {script.tenantName} · {script.callsFound} Send-MailMessage call{script.callsFound === 1 ? "" : "s"} found, {script.convertedCount} converted,{" "}
            {script.attentionCount} to look at · {ENCODING_LABELS[script.encoding]} · imports <code className="break-all">{script.modulePath}</code>
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            {script.converted !== null ? (
              <>
                <a href={download} className={buttonClass("primary")} aria-label={`Download converted ${script.name}`}>
                  Download converted
                </a>
                <CopyButton text={script.converted} label={`Copy converted ${script.name}`} />
              </>
            ) : null}
            <a href={`${download}?which=original`} className={buttonClass("secondary")}>
              Download original
            </a>
            {user.role === "admin" ? (
              <>
                <ReconvertButton scriptId={script.id} name={script.name} />
                <DeleteScriptButton scriptId={script.id} name={script.name} back />
              </>
            ) : null}
          </div>
        }
      />
      <Card title={`Needs attention (${script.problems.length})`} className="mb-4">
        <ProblemList problems={script.problems} />
      </Card>
      <Card title="Changes">
        {script.converted === null ? (
          <p className="text-sm">No converted version: see the reasons above. The original is unchanged.</p>
        ) : (
          <SideBySideDiff original={script.original} converted={script.converted} />
        )}
      </Card>
    </>
  );
}
