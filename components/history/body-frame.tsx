import { srcDoc } from "@/components/message-frame-doc";

// The document (and its CSP) is shared with compose's preview; re-exported for existing importers.
export { srcDoc };

/**
 * The message's HTML body, shown only inside a sandboxed iframe: `sandbox=""` (no scripts, no forms,
 * no same-origin, no top navigation) and a CSP in the document itself (message-frame-doc.ts). Text
 * bodies are shown as text.
 */
export function BodyFrame({ body, bodyType, subject }: { body: string; bodyType: string; subject: string }) {
  if (bodyType.toLowerCase() !== "html") {
    return <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800">{body}</pre>;
  }
  return (
    <iframe
      title={`Message body: ${subject}`}
      sandbox=""
      srcDoc={srcDoc(body)}
      referrerPolicy="no-referrer"
      className="h-[32rem] w-full rounded-md border border-slate-200 bg-white dark:border-slate-800"
    />
  );
}
