/** A tiny router over node:https — the sandbox needs no framework. */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Handler = (ctx: Ctx) => Promise<void> | void;

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

interface Route {
  method: string;
  keys: string[];
  re: RegExp;
  handler: Handler;
}

/**
 * Patterns use `:name` segments (matched case-insensitively on the literal parts, like Graph)
 * and a trailing `*` for "anything else".
 */
export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const src = pattern
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          keys.push(seg.slice(1));
          return "([^/]+)";
        }
        if (seg === "*") {
          keys.push("rest");
          return "(.*)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ method: method.toUpperCase(), keys, re: new RegExp(`^${src}/?$`, "i"), handler });
    return this;
  }

  /** Returns false when no route matched (path), or sends 405 when only the method differs. */
  async handle(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<boolean> {
    const url = new URL(req.url ?? "/", baseUrl);
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.re.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method && !(route.method === "GET" && req.method === "HEAD")) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? "")));
      await route.handler({ req, res, url, params });
      return true;
    }
    if (pathMatched) {
      res.writeHead(405, { "content-type": "text/plain" }).end("Method not allowed");
      return true;
    }
    return false;
  }
}

export async function readBody(req: IncomingMessage, limit = 200 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; img-src data:; frame-src data:",
    ...headers,
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store" }).end();
}

/** Escape text for HTML element and attribute contexts. */
export function esc(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
