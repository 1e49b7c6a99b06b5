/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Separate build folders let parallel end-to-end runs (NEXT_DIST_DIR) build without colliding.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // Native or WebAssembly packages that must stay outside the server bundle.
  serverExternalPackages: ["@node-rs/argon2", "@prisma/client", "@electric-sql/pglite", "pg"],
  typedRoutes: false,
  // `next build` checks the portal only; `npm test` type-checks everything (sandbox, tests, scripts).
  typescript: { tsconfigPath: "tsconfig.next.json" },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
