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
   * Where attachment bytes are kept (lib/uploads/store.ts): "postgres" (the default — the portal's own
   * database, nothing else to share or back up) or "s3": S3-compatible object storage (Amazon S3, MinIO,
   * Ceph RGW, Cloudflare R2 …) in PORTAL_S3_BUCKET under PORTAL_S3_PREFIX. PORTAL_S3_ENDPOINT for a store
   * that is not AWS; PORTAL_S3_FORCE_PATH_STYLE=true when it has no per-bucket host names (MinIO by default).
   * Credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE,
   * an instance or pod role), never from the portal's database.
   */
  PORTAL_UPLOAD_STORE: z.enum(["postgres", "s3"], "PORTAL_UPLOAD_STORE must be postgres or s3").default("postgres"),
  PORTAL_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "PORTAL_S3_BUCKET must be an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)").optional(),
  PORTAL_S3_PREFIX: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{0,200}$/, "PORTAL_S3_PREFIX must be a key prefix of letters, digits and !_.*'()/-").default("gmp-uploads/"),
  PORTAL_S3_REGION: z.string().min(1, "PORTAL_S3_REGION must not be empty").default("us-east-1"),
  PORTAL_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "PORTAL_S3_ENDPOINT must be an absolute URL such as https://minio.example.com:9000" }).optional(),
  PORTAL_S3_FORCE_PATH_STYLE: z.enum(["true", "false"], "PORTAL_S3_FORCE_PATH_STYLE must be true or false").default("false").transform((v) => v === "true"),
  /**
   * Outbox (lib/outbox/options.ts): Graph requests in flight per tenant app registration, counted across
   * every portal instance on the database (README, "Outbox concurrency"). 4 is the safe reading of
   * Outlook's limit, which one version of Microsoft's page states per app and mailbox, another per app.
   */
  PORTAL_OUTBOX_APP_CONCURRENCY: z.coerce.number().int("PORTAL_OUTBOX_APP_CONCURRENCY must be a whole number").min(1).max(1000).default(4),
  /** Sends one portal process works on at once (claims beyond the per-app limit wait). */
  PORTAL_OUTBOX_WORKER_CONCURRENCY: z.coerce.number().int("PORTAL_OUTBOX_WORKER_CONCURRENCY must be a whole number").min(0).max(1000).default(16),
  /**
   * Length of the per-mailbox message-rate window in ms (Exchange: 30 messages per 60 s). Only for
   * benchmarks against a sandbox whose clock runs faster than real time; leave unset otherwise.
   */
  PORTAL_OUTBOX_PACE_WINDOW_MS: z.coerce.number().int("PORTAL_OUTBOX_PACE_WINDOW_MS must be a whole number of ms").min(100).max(3_600_000).default(60_000),
  // Delivery status (lib/delivery): how often the trace job runs (0 = off) and how far back it looks (≤ 10 days: one query window).
  PORTAL_TRACE_INTERVAL_SECONDS: z.coerce.number().int("PORTAL_TRACE_INTERVAL_SECONDS must be a whole number").min(0).max(86_400).default(300),
  PORTAL_TRACE_LOOKBACK_HOURS: z.coerce.number().int("PORTAL_TRACE_LOOKBACK_HOURS must be a whole number").min(1).max(239).default(48),
  /**
   * The SMTP relay for devices (lib/smtp; README, "Connect a printer or an app that only speaks SMTP").
   * PORTAL_SMTP_PORT: STARTTLS listener (0 turns the relay off); PORTAL_SMTP_TLS_PORT: an implicit-TLS
   * listener (465), off when unset. PORTAL_SMTP_CERT_FILE/KEY_FILE: the admin's certificate (PEM); without
   * them the portal generates a CA and a server certificate under PORTAL_DATA_DIR/smtp on first start.
   * PORTAL_SMTP_MIN_TLS and PORTAL_SMTP_CIPHERS: the legacy-device profile (some scanners speak only TLS 1.0).
   */
  PORTAL_SMTP_PORT: z.coerce.number().int("PORTAL_SMTP_PORT must be a port number").min(0).max(65535).default(2525),
  PORTAL_SMTP_TLS_PORT: z.coerce.number().int("PORTAL_SMTP_TLS_PORT must be a port number").min(1).max(65535).optional(),
  PORTAL_SMTP_BIND: z.string().default("0.0.0.0"),
  /** The name devices connect to (greeting, certificate, the printer card); PORTAL_URL's host name when unset. */
  PORTAL_SMTP_HOSTNAME: z.string().optional(),
  PORTAL_SMTP_CERT_FILE: z.string().optional(),
  PORTAL_SMTP_KEY_FILE: z.string().optional(),
  PORTAL_SMTP_MIN_TLS: z.enum(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], "PORTAL_SMTP_MIN_TLS must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3").default("TLSv1.2"),
  PORTAL_SMTP_CIPHERS: z.string().optional(),
  /** The largest message the relay accepts from any device (a device may have a lower limit). */
  PORTAL_SMTP_MAX_MESSAGE_MB: z.coerce.number().int("PORTAL_SMTP_MAX_MESSAGE_MB must be a whole number of MB").min(1).max(150).default(150),
  /**
   * Prometheus scraping of /metrics (app/metrics/route.ts): the bearer token the scraper sends
   * (`authorization: { credentials: … }` in prometheus.yml). Unset, /metrics is off (404): the metrics
   * name mailboxes and tenants, so they are never public by default.
   */
  PORTAL_METRICS_TOKEN: z.string().min(16, "PORTAL_METRICS_TOKEN must be at least 16 characters").optional(),
  /** pino's level for the JSON log on stdout: fatal, error, warn, info (default), debug, trace or silent. */
  PORTAL_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "PORTAL_LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent").default("info"),
  /**
   * Demos and tests only: a URL answering {"now": ISO time} whose clock the portal's credential-expiry
   * views and warnings follow (lib/credentials/clock.ts), e.g. the sandbox's GET {controlUrl}/clock, so
   * moving the sandbox clock shows the warnings. Unset (production): the server's own clock.
   */
  PORTAL_CLOCK_URL: z.url("PORTAL_CLOCK_URL must be an absolute URL answering {\"now\": ISO time}").optional(),
  /** Optional JSON file of tenants to provision declaratively at start (see README). */
  PORTAL_TENANTS_FILE: z.string().optional(),
  /** Role given to people the first time they sign in with Microsoft. */
}).refine((e) => e.PORTAL_UPLOAD_STORE !== "s3" || e.PORTAL_S3_BUCKET, {
  path: ["PORTAL_S3_BUCKET"],
  message: "PORTAL_S3_BUCKET is required when PORTAL_UPLOAD_STORE is s3",
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
