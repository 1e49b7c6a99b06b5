import "server-only";
import { logError, logInfo } from "../log";
import { runCredentialWarnings } from "./run-warnings";

const EVERY_MS = 24 * 60 * 60 * 1000;
const g = globalThis as unknown as { __gmpCredentialWarnings?: NodeJS.Timeout };

async function runOnce(): Promise<void> {
  try {
    const r = await runCredentialWarnings();
    if (r.mailed.length) logInfo(`credential warnings: queued ${r.mailed.length} mail(s)`);
    if (r.unsent.length) logInfo(`credential warnings: ${r.unsent.length} warning(s) due but not mailed (see Settings → Credentials)`);
  } catch (err) {
    logError("credential warnings failed", err);
  }
}

/**
 * Credential expiry warnings (lib/credentials/run-warnings.ts): shortly after start, then daily. Every
 * instance schedules it; the advisory lock lets one run at a time, and the CredentialWarning rows make a
 * second run the same day a no-op.
 */
export function startCredentialWarningJob(): void {
  if (g.__gmpCredentialWarnings) return;
  setTimeout(() => void runOnce(), 30_000).unref();
  g.__gmpCredentialWarnings = setInterval(() => void runOnce(), EVERY_MS);
  g.__gmpCredentialWarnings.unref();
}
