import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { ApiReference } from "@/components/api-docs/api-reference";
import { CodeExample } from "@/components/api-docs/code-example";
import { pageUser } from "@/lib/auth/page-user";
import { env } from "@/lib/env";
import { apiExamples } from "@/lib/api-v1/examples";

export const metadata: Metadata = { title: "REST API" };

/** Problem types (the `type` of an error answer links here). */
const PROBLEMS: [string, string][] = [
  ["unauthenticated", "401: no key, or an unknown, revoked or expired key."],
  ["not-granted", "403: the key may not send as this mailbox. Nothing was queued."],
  ["validation-failed", "422: invalid fields; `errors` names each one."],
  ["key-rule", "422: a recipient outside the key's domains, or a message over its size."],
  ["idempotency-mismatch", "422: the Idempotency-Key was used with another body."],
  ["idempotency-in-progress", "409: the first request with this Idempotency-Key is still running; retry."],
  ["rate-limited", "429: over the key's per-minute limit or the per-address limit; wait Retry-After seconds."],
  ["unsupported-media-type", "415: send JSON with Content-Type: application/json."],
  ["invalid-json", "400: the body is not JSON."],
  ["not-found", "404: no such message among this key's."],
];

export default async function ApiDocsPage() {
  await pageUser();
  const base = new URL(env().PORTAL_URL).origin;
  return (
    <>
      <PageHeader
        title="REST API"
        description={
          <>
            For scripts and scheduled tasks: send with an API key from the{" "}
            <Link href="/keys" className="text-brand-600 underline">
              API keys
            </Link>{" "}
            page (an admin creates it). The OpenAPI 3.1 document is at{" "}
            <a className="text-brand-600 underline" href="/api/v1/openapi.json">
              /api/v1/openapi.json
            </a>
            .
          </>
        }
      />
      <Card title="Examples" className="mb-4">
        <p className="mb-3 text-sm">Put the key in the environment variable GMP_API_KEY, not in the script.</p>
        <div className="grid gap-4">
          {apiExamples(base).map((e) => (
            <CodeExample key={e.id} title={e.title} text={e.text} />
          ))}
        </div>
      </Card>
      <Card title="Errors" className="mb-4">
        <p className="mb-2 text-sm">
          Errors are RFC 9457 problem details (<code>application/problem+json</code>) with <code>type</code>, <code>title</code>, <code>status</code>,{" "}
          <code>detail</code>, <code>instance</code> and, for bad fields, <code>errors: [{"{"}field, message{"}"}]</code>.
        </p>
        <dl className="grid gap-1 text-sm sm:grid-cols-[14rem_1fr]">
          {PROBLEMS.map(([id, text]) => (
            <div key={id} id={`problem-${id}`} className="contents">
              <dt className="font-mono text-xs">{id}</dt>
              <dd>{text}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Reference">
        <ApiReference url="/api/v1/openapi.json" />
      </Card>
    </>
  );
}
