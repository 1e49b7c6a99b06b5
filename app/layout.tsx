import type { Metadata, Viewport } from "next";
import { Toaster } from "sonner";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Graph Mail Portal", template: "%s · Graph Mail Portal" },
  description: "Send Microsoft 365 mail through Microsoft Graph instead of basic-auth SMTP.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#0a101d" },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        {children}
        {/* Bottom right: a toast never covers the header or the fields at the top of a form (components/ui/form-message.tsx says what earns one). */}
        <Toaster richColors closeButton theme="system" position="bottom-right" />
      </body>
    </html>
  );
}
