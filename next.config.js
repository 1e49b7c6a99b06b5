/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Separate build folders let parallel end-to-end runs (NEXT_DIST_DIR) build without colliding.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // Native or WebAssembly packages that must stay outside the server bundle (and the SMTP relay's server and parser, plain Node libraries loaded as they are).
  serverExternalPackages: ["@node-rs/argon2", "@prisma/client", "@electric-sql/pglite", "pg", "tree-sitter", "tree-sitter-powershell", "smtp-server", "mailparser"],
  typedRoutes: false,
  // `next build` checks the portal only; `npm test` type-checks everything (sandbox, tests, scripts).
  typescript: { tsconfigPath: "tsconfig.next.json" },
  // Security headers on every response. The Content-Security-Policy is not here: it carries a fresh nonce
  // per request, so proxy.ts sets it. `headers()` is evaluated by `next build`: HSTS follows the PORTAL_URL
  // the build saw (scripts/start.ts builds with the runtime environment).
  async headers() {
    const https = (process.env.PORTAL_URL ?? "").startsWith("https:");
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          // Not `no-referrer`: browsers then send `Origin: null` on the portal's own form posts, which
          // lib/api.ts and Next's server-action check refuse (https://fetch.spec.whatwg.org/#origin-header).
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          // Legacy twin of CSP `frame-ancestors 'none'` (proxy.ts), for browsers and paths without the CSP.
          { key: "X-Frame-Options", value: "DENY" },
          {
            key: "Permissions-Policy",
            // Features the portal never uses, switched off for it and anything it embeds. Only names Chromium
            // recognises (an unknown one, e.g. `bluetooth`, logs an error on every page; e2e/hardening.spec.ts checks).
            value:
              "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), " +
              "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=(), interest-cohort=()",
          },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          // HSTS only behind HTTPS: on http://localhost it would be ignored at best (RFC 6797 §8.1).
          ...(https ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
        ],
      },
    ];
  },
};

module.exports = nextConfig;
