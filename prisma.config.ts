/**
 * Prisma 6.19 CLI configuration: the WebAssembly schema engine ("js") so migrations work offline
 * (shared/STACK.md). Two known Prisma bugs are worked around here and nowhere else.
 */
import "dotenv/config";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// prisma/orm#27403: schema commands fail on PostgreSQL with "Column type 'name' could not be
// deserialized". Known workaround: report these system types to the adapter as text / text[],
// by remapping the field type OIDs where pg parses a result, inside the CLI only.
const REMAP = new Map<number, number>([
  ...[18, 19, 22, 24, 28, 194, 2205, 2206].map((oid): [number, number] => [oid, 25]),
  [1002, 1009],
  [1003, 1009],
]);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- patching pg's internal Result class
const ResultProto = (pg as any).Result.prototype as { addFields(fields: { dataTypeID: number }[]): void };
const addFields = ResultProto.addFields;
ResultProto.addFields = function (fields) {
  for (const f of fields) f.dataTypeID = REMAP.get(f.dataTypeID) ?? f.dataTypeID;
  return addFields.call(this, fields);
};

// Prisma 6 reads the schema's `url = env("DATABASE_URL")` even for `generate`, and when the variable is
// unset it falls back to downloading a query engine (impossible offline). `generate` never connects,
// so give it the same local default the adapter below uses.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const url = new URL(process.env.DATABASE_URL!);
    // Pass the parts, not a connectionString: with a connectionString the adapter's shadow database is
    // the main one (P3006).
    return new PrismaPg({
      host: url.hostname,
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
      user: decodeURIComponent(url.username) || "postgres",
      password: decodeURIComponent(url.password) || undefined,
      ssl: url.searchParams.get("sslmode") === "require" ? { rejectUnauthorized: false } : undefined,
      // Close idle connections at once, so the CLI can drop its shadow database after `migrate dev`.
      idleTimeoutMillis: 1,
    });
  },
});
