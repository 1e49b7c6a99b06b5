import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "./env";

/**
 * One Prisma client per process (kept on globalThis so dev reloads don't open new pools).
 * Secret columns are omitted by default: a query must ask for them by name.
 */
function create() {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: env().DATABASE_URL, max: 10 }),
    omit: {
      tenant: { credentialCipher: true },
      user: { passwordHash: true },
      account: { refreshTokenCipher: true },
      setupCode: { codeHash: true },
      device: { passwordHash: true },
    },
  });
}

export type Db = ReturnType<typeof create>;

const g = globalThis as unknown as { __gmpDb?: Db };

export function db(): Db {
  g.__gmpDb ??= create();
  return g.__gmpDb;
}
