/**
 * The document a message's HTML body is shown in, inside a `sandbox=""` iframe (History's body frame and
 * compose's preview): a CSP in the document itself blocks every fetch but inline styles and data: images,
 * so a hostile or merely remote-linking body can neither run code nor call home (no tracking pixels).
 * A srcdoc frame also inherits the portal page's own CSP (proxy.ts), which already blocks remote loads;
 * this meta keeps the frame closed even where that header is absent.
 */
export const MESSAGE_FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'";

export function srcDoc(html: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${MESSAGE_FRAME_CSP}"><base target="_blank"><style>body{font-family:system-ui,sans-serif;font-size:14px;margin:12px;color:#0f172a;background:#fff}</style></head><body>${html}</body></html>`;
}
