import "server-only";
import { z } from "zod";

/**
 * The portal's environment, validated once. A bad value fails start-up with the variable's name
 * rather than surfacing later as a confusing error. Secrets stay server-side (this module is server-only).
 */
const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set: run the portal with `npm start`, which starts the embedded database, or set it to a PostgreSQL URL" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
  /** 32 bytes, base64 or hex: the AES-256-GCM key for secrets at rest. */
  PORTAL_SECRET_KEY: z
    .string({ error: "PORTAL_SECRET_KEY is not set (npm start generates one under .data/ in demo mode)" })
    .refine((v) => decodeKey(v) !== null, "PORTAL_SECRET_KEY must be 32 bytes, as 64 hex characters or base64"),
  /**
   * Comma-separated older keys, read-only: values still encrypted under them stay readable while
   * `npm run rotate-key` re-encrypts everything under PORTAL_SECRET_KEY (README, "Rotating PORTAL_SECRET_KEY").
   */
  PORTAL_PREVIOUS_SECRET_KEYS: z
    .string()
    .optional()
    .refine(
      (v) => (v ?? "").split(",").map((k) => k.trim()).filter(Boolean).every((k) => decodeKey(k) !== null),
      "PORTAL_PREVIOUS_SECRET_KEYS must be comma-separated 32-byte keys (64 hex characters or base64 each)",
    ),
  /** Public URL of the portal; used for redirect URIs and links. */
  PORTAL_URL: z.url("PORTAL_URL must be an absolute URL such as https://mail.example.com").default("http://localhost:3000"),
  PORTAL_DATA_DIR: z.string().default(".data"),
  /**
   * Upload quotas per person (lib/sends/upload-quota.ts), over attachments uploaded and not yet attached
   * to a send (in flight or stored): how many, how many bytes, how many uploading at once; and the free
   * space PORTAL_DATA_DIR's filesystem keeps (uploads are refused below it).
   */
  PORTAL_UPLOAD_MAX_FILES: z.coerce.number().int("PORTAL_UPLOAD_MAX_FILES must be a whole number").min(1).max(100_000).default(20),
  PORTAL_UPLOAD_MAX_MB: z.coerce.number().int("PORTAL_UPLOAD_MAX_MB must be a whole number of MB").min(1).max(10_000_000).default(500),
  PORTAL_UPLOAD_MAX_CONCURRENT: z.coerce.number().int("PORTAL_UPLOAD_MAX_CONCURRENT must be a whole number").min(1).max(1000).default(4),
  PORTAL_UPLOAD_MIN_FREE_MB: z.coerce.number().int("PORTAL_UPLOAD_MIN_FREE_MB must be a whole number of MB").min(0).max(1_000_000_000).default(1024),
  /**
   * Outbox (lib/outbox/options.ts): Graph requests in flight per tenant app registration, counted across
   * every portal instance on the database (README, "Outbox concurrency"). 4 is the safe reading of
   * Outlook's limit, which one version of Microsoft's page states per app and mailbox, another per app.
   */
  PORTAL_OUTBOX_APP_CONCURRENCY: z.coerce.number().int("PORTAL_OUTBOX_APP_CONCURRENCY must be a whole number").min(1).max(1000).default(4),
  /** Sends one portal process works on at once (claims beyond the per-app limit wait). */
  PORTAL_OUTBOX_WORKER_CONCURRENCY: z.coerce.number().int("PORTAL_OUTBOX_WORKER_CONCURRENCY must be a whole number").min(1).max(1000).default(16),
  /**
   * Length of the per-mailbox message-rate window in ms (Exchange: 30 messages per 60 s). Only for
   * benchmarks against a sandbox whose clock runs faster than real time; leave unset otherwise.
   */
  PORTAL_OUTBOX_PACE_WINDOW_MS: z.coerce.number().int("PORTAL_OUTBOX_PACE_WINDOW_MS must be a whole number of ms").min(100).max(3_600_000).default(60_000),
  /** Optional JSON file of tenants to provision declaratively at start (see README). */
  PORTAL_TENANTS_FILE: z.string().optional(),
  /** Role given to people the first time they sign in with Microsoft. */
});

export type Env = z.infer<typeof schema>;

export function decodeKey(value: string): Buffer | null {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, "hex");
  const b = Buffer.from(v, "base64");
  return b.length === 32 ? b : null;
}

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid portal configuration:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}
