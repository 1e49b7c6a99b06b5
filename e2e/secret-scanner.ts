/**
 * The secret scan's mechanism (e2e/secret-scan.spec.ts): secret sources turned into needles (each value
 * in the encodings a leak would take), haystacks (a database dump, server logs, response bodies) searched
 * raw and with JSON/JS-string and URL escapes undone, and a collector for every response a browser
 * context receives. Findings name the source and where, never the secret itself.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import type { APIResponse, BrowserContext, Response } from "@playwright/test";

/** One kind of secret and the strings that would reveal it. */
export interface SecretSource {
  name: string;
  /** How many secret values the needles stand for (so a source with nothing to look for is visible). */
  values: number;
  needles: string[];
}

export interface Haystack {
  where: string;
  text: string;
}

export interface Finding {
  source: string;
  where: string;
  /** The text around the match, with the match itself masked. */
  context: string;
}

const unique = (xs: string[]) => [...new Set(xs.filter((x) => x.length > 0))];

/** A secret string as-is, URL-encoded and base64-encoded (a Basic header, a data: URL). */
export function textSource(name: string, values: string[]): SecretSource {
  const needles = values.flatMap((v) => [v, encodeURIComponent(v), Buffer.from(v, "utf8").toString("base64")]);
  return { name, values: values.length, needles: unique(needles) };
}

/**
 * Long opaque tokens (refresh tokens): the token, and 40-character slices of it, so a token cut short
 * in a log line or a page is still found.
 */
export function tokenSource(name: string, tokens: string[]): SecretSource {
  const needles = tokens.flatMap((t) => [t, encodeURIComponent(t), ...slices(t, 40)]);
  return { name, values: tokens.length, needles: unique(needles) };
}

/** A 32-byte key in hex (as secret.key holds it): hex either case, base64 and base64url of its bytes. */
export function keySource(name: string, hexKeys: string[]): SecretSource {
  const needles = hexKeys.flatMap((hex) => {
    const raw = Buffer.from(hex, "hex");
    return [hex.toLowerCase(), hex.toUpperCase(), raw.toString("base64"), raw.toString("base64url")];
  });
  return { name, values: hexKeys.length, needles: unique(needles) };
}

function slices(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");

/**
 * A private key (PKCS#8 PEM): the PEM, 32-character chunks of its base64 DER in PKCS#8 and PKCS#1
 * (found whatever the line wrapping), and the private JWK members in base64url, base64 and hex. A needle
 * that also occurs in the public certificate or public key (the modulus is in both) is dropped: the
 * public half is meant to be seen.
 */
export function privateKeySource(name: string, keys: { privateKeyPem: string; certificatePem: string }[]): SecretSource {
  const needles = keys.flatMap(({ privateKeyPem, certificatePem }) => {
    const key = createPrivateKey(privateKeyPem);
    const pkcs8 = pemBody(privateKeyPem);
    const pkcs1 = (key.export({ type: "pkcs1", format: "der" }) as Buffer).toString("base64");
    const jwk = key.export({ format: "jwk" });
    const members = [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].filter((m): m is string => typeof m === "string");
    const memberForms = members.flatMap((m) => {
      const raw = Buffer.from(m, "base64url");
      return [m, raw.toString("base64"), raw.toString("hex")];
    });
    const publicKey = createPublicKey(key);
    const cert = new X509Certificate(certificatePem);
    const spki = publicKey.export({ type: "spki", format: "der" });
    const publicText = [
      pemBody(certificatePem),
      cert.raw.toString("base64"),
      cert.raw.toString("hex"),
      spki.toString("base64"),
      spki.toString("hex"),
      (publicKey.export({ type: "pkcs1", format: "der" }) as Buffer).toString("base64"),
      JSON.stringify(publicKey.export({ format: "jwk" })),
    ].join("\n");
    return [privateKeyPem.trim(), ...slices(pkcs8, 32), ...slices(pkcs1, 32), ...memberForms].filter((n) => !publicText.includes(n));
  });
  return { name, values: keys.length, needles: unique(needles) };
}

/** The text with JSON / JS string escapes undone (\n, \/, \uXXXX), as RSC payloads and inline scripts carry strings. */
function unescapeJs(text: string): string {
  return text.replace(/\\(u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|[nrt"'\\/])/g, (m, _e: string, u?: string, x?: string) => {
    if (u) return String.fromCharCode(parseInt(u, 16));
    if (x) return String.fromCharCode(parseInt(x, 16));
    return ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[m[1]!] ?? m[1]!;
  });
}

/** %XX escapes undone (form bodies, query strings, redirects). */
function percentDecode(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function mask(text: string, at: number, length: number): string {
  const from = Math.max(0, at - 60);
  return `${text.slice(from, at)}[${length} chars masked]${text.slice(at + length, at + length + 60)}`.replace(/\s+/g, " ");
}

/** Every needle of every source in every haystack (raw, unescaped, percent-decoded). */
export function scan(haystacks: Haystack[], sources: SecretSource[]): Finding[] {
  const findings: Finding[] = [];
  for (const h of haystacks) {
    const forms = unique([h.text, unescapeJs(h.text), percentDecode(h.text)]);
    for (const s of sources) {
      for (const needle of s.needles) {
        const form = forms.find((f) => f.includes(needle));
        if (form === undefined) continue;
        findings.push({ source: s.name, where: h.where, context: mask(form, form.indexOf(needle), needle.length) });
        break; // one finding per source and haystack is enough to fail and to locate it
      }
    }
  }
  return findings;
}

/** Response bodies worth reading: documents, RSC payloads, JSON, scripts and other text. */
const TEXTUAL = /text\/|json|x-component|javascript|ecmascript|xml|x-pem-file|x-www-form-urlencoded/i;

export interface CollectedResponses {
  haystacks: Haystack[];
  /** Bodies that could not be read (a navigation replaced the page first, say): URL and reason. */
  unreadable: string[];
  /** Requests to the portal that failed before any answer (nothing reached the browser): URL and reason. */
  notDelivered: string[];
  /** Redirects and non-text bodies (images, fonts), not scanned. */
  skipped: number;
  bytes: number;
}

/**
 * Collects every response a browser context receives (every page and frame, every origin), body and
 * headers. Chromium keeps no body for responses a page reads as a stream — Next's RSC payloads and server
 * action answers ("No data found for resource") — so requests to the portal are routed: fetched by
 * Playwright, recorded whole, then handed to the page unchanged (redirects included). Other origins (the
 * sandbox's sign-in pages) are read from the response events. `done()` waits for bodies still being read;
 * API calls made with `request` are added with `add()`.
 */
export function collectResponses(portalOrigin: string): CollectedResponses & {
  watch(ctx: BrowserContext): Promise<void>;
  add(label: string, res: APIResponse): Promise<void>;
  done(): Promise<void>;
} {
  const out: CollectedResponses = { haystacks: [], unreadable: [], notDelivered: [], skipped: 0, bytes: 0 };
  const pending: Promise<void>[] = [];
  const record = (where: string, status: number, headers: Record<string, string>, body: () => Promise<Buffer>) => {
    if ((status >= 300 && status < 400) || !TEXTUAL.test(headers["content-type"] ?? "")) {
      out.skipped++;
      // Redirect targets and headers are still scanned (a token in a Location header is a leak too).
      out.haystacks.push({ where, text: JSON.stringify(headers) });
      return Promise.resolve();
    }
    return body().then(
      (b) => {
        out.bytes += b.length;
        out.haystacks.push({ where, text: `${JSON.stringify(headers)}\n${b.toString("utf8")}` });
      },
      (e: unknown) => void out.unreadable.push(`${where}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`),
    );
  };
  const fromEvent = async (res: Response) => {
    if (new URL(res.url()).origin === portalOrigin) return; // recorded by the route below
    const headers = await res.allHeaders().catch(() => res.headers());
    await record(`${res.request().method()} ${res.url()} → ${res.status()}`, res.status(), headers, () => res.body());
  };
  return Object.assign(out, {
    async watch(ctx: BrowserContext) {
      ctx.on("response", (res) => void pending.push(fromEvent(res)));
      await ctx.route(
        (url) => url.origin === portalOrigin,
        async (route) => {
          const where = `${route.request().method()} ${route.request().url()}`;
          // A fresh connection per request: a kept-alive socket the server has just closed answers ECONNRESET.
          const fetch = () => route.fetch({ maxRedirects: 0, timeout: 120_000, headers: { ...route.request().headers(), connection: "close" } });
          let res: APIResponse;
          try {
            // A GET that failed before any answer is safe to try once more; a POST is not retried.
            res = await fetch().catch((e: unknown) => (route.request().method() === "GET" ? fetch() : Promise.reject(e)));
          } catch (e) {
            // The server or the page dropped the request (a prefetch cut short): nothing reached the browser.
            out.notDelivered.push(`${where}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
            await route.abort().catch(() => undefined);
            return;
          }
          pending.push(record(`${where} → ${res.status()}`, res.status(), res.headers(), () => res.body()));
          await route.fulfill({ response: res }).catch(() => undefined);
        },
      );
    },
    async add(label: string, res: APIResponse) {
      await record(`${label} ${res.url()} → ${res.status()}`, res.status(), res.headers(), () => res.body());
    },
    async done() {
      // Bodies still arriving when the flow ends; new ones may be pushed while we wait.
      let n = 0;
      while (n < pending.length) {
        const batch = pending.slice(n);
        n = pending.length;
        await Promise.all(batch);
      }
    },
  });
}
