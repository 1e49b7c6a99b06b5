/** A date as the device pages show it: "2026-12-05 13:04 UTC", or "never". */
export const when = (d: Date | null): string => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");
