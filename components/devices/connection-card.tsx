import { PrintButton } from "./print-button";

export interface CardSettings {
  deviceName: string;
  username: string;
  host: string;
  port: number;
  implicitTlsPort: number | null;
  minTls: string;
  /** Whether the portal generated the relay's certificate (its CA can be downloaded). */
  caDownload: boolean;
  /** Whether the relay has created that CA yet (on its first start). */
  caReady: boolean;
  ipOnly: boolean;
  allowPlaintext: boolean;
  from: string | null;
}

/**
 * "Connection settings for your printer": what to type into the device's SMTP page, from
 * lib/smtp/relay-info.ts (the relay's own description, so the card never disagrees with the listener).
 * Printed alone: the print stylesheet hides everything else on the page.
 */
export function ConnectionCard({ s }: { s: CardSettings }) {
  const rows: [string, string][] = [
    ["SMTP server", s.host],
    ["Port", `${s.port} — STARTTLS${s.allowPlaintext ? " (plain text allowed for this device from its listed addresses)" : " (required)"}`],
    ...(s.implicitTlsPort ? ([["Port (SSL/TLS)", `${s.implicitTlsPort} — implicit TLS (SMTPS)`]] as [string, string][]) : []),
    ["Minimum TLS version", s.minTls.replace("TLSv", "TLS ")],
    ["Authentication", s.ipOnly ? "none (IP-only device)" : "yes — AUTH LOGIN or PLAIN"],
    ["Username", s.ipOnly ? "—" : s.username],
    ["Password", s.ipOnly ? "—" : "the one shown when the device was added or its password last rotated"],
    ["From address", s.from ?? "one of the mailboxes granted to the device"],
  ];
  return (
    <section id="device-connection-card" aria-label="Connection settings for your printer" className="rounded-lg border-2 border-dashed border-slate-400 p-4 print:border-black">
      <style>{`@media print {
  body * { visibility: hidden !important; }
  #device-connection-card, #device-connection-card * { visibility: visible !important; }
  #device-connection-card { position: absolute; left: 0; top: 0; width: 100%; border: 1px solid #000; color: #000; background: #fff; }
  #device-connection-card .no-print { display: none !important; }
}`}</style>
      <div className="mb-3 flex items-start justify-between gap-3">
        <h2 className="text-base font-semibold">Connection settings for your printer — {s.deviceName}</h2>
        <div className="no-print">
          <PrintButton />
        </div>
      </div>
      <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[11rem_1fr]">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium">{k}</dt>
            <dd className="break-all">{k === "Username" || k === "SMTP server" ? <code>{v}</code> : v}</dd>
          </div>
        ))}
      </dl>
      {s.caDownload ? (
        <p className="mt-3 text-xs">
          Devices that check the server certificate need the relay&apos;s CA:{" "}
          {s.caReady ? (
            <a href="/api/devices/ca" className="no-print text-brand-600 underline" download>
              download the CA certificate (PEM)
            </a>
          ) : (
            <span className="no-print">the relay creates it on its first start; reload this page then to download it</span>
          )}
          <span className="hidden print:inline">download it from the portal&apos;s Devices page</span>.
        </p>
      ) : null}
    </section>
  );
}
