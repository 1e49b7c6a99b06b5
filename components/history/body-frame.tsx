/**
 * The message's HTML body, shown only inside a sandboxed iframe: `sandbox=""` (no scripts, no forms,
 * no same-origin, no top navigation) and a CSP in the document itself that blocks every fetch but
 * inline styles and data: images — so a hostile body can neither run code nor call home (no tracking
 * pixels). Text bodies are shown as text.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'";

export function srcDoc(html: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><base target="_blank"><style>body{font-family:system-ui,sans-serif;font-size:14px;margin:12px;color:#0f172a;background:#fff}</style></head><body>${html}</body></html>`;
}

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
