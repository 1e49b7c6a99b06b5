import tseslint from "typescript-eslint";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: [".next/**", ".next-*/**", ".data-e2e*/**", ".sandbox-e2e*/**", "generated/**", "**/node_modules/**", ".data/**", "**/.sandbox/**", "**/.sandbox-test/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "@next/next": nextPlugin, "react-hooks": reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    // The sandbox is its own package and server: it must never import the portal (HTTP only), and the portal
    // never imports it (only the portal's tests and start scripts do, by package name).
    files: ["packages/m365-sandbox/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: ["@/*", "**/lib/*", "**/app/*", "**/components/*", "**/tests/*", "**/scripts/*"] }] },
  },
  {
    files: ["app/**", "components/**", "lib/**"],
    rules: { "no-restricted-imports": ["error", { patterns: ["m365-sandbox", "m365-sandbox/*", "**/packages/**"] }] },
  },
);
