"use client";
import dynamic from "next/dynamic";

// Scalar's reference (https://github.com/scalar/scalar, packages/api-reference-react) renders the
// OpenAPI document the portal serves; client-only, since it reads the document in the browser.
const ApiReferenceReact = dynamic(() => import("@scalar/api-reference-react").then((m) => m.ApiReferenceReact), {
  ssr: false,
  loading: () => <p className="text-sm">Loading the API reference…</p>,
});

export function ApiReference({ url }: { url: string }) {
  return (
    <div data-testid="api-reference">
      <ApiReferenceReact
        configuration={{
          url,
          // Offline-friendly and private: no web fonts, no telemetry, no hosted "try it" proxy or client.
          withDefaultFonts: false,
          telemetry: false,
          hideClientButton: true,
          hideDarkModeToggle: true,
          showDeveloperTools: "never",
        }}
      />
    </div>
  );
}
