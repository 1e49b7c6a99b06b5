-- Session versioning (issue 10): a session token counts only while its version matches the user's.
-- Sign-out, a role change and disabling bump it, which ends every session of that person at once.
-- AlterTable
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;

-- Rate-limit counters of rate-limiter-flexible's PostgreSQL store (lib/rate-limit), shared by every
-- portal instance. The table is the library's own layout, created here so the portal never runs DDL
-- at run time (tableCreated: true). It lives in its own schema, outside Prisma's "public", so that
-- `prisma migrate diff` and `migrate dev` neither see it nor propose to drop it. Keys are SHA-256
-- hashes: no address or IP is stored.
CREATE SCHEMA IF NOT EXISTS "rate_limit";

CREATE TABLE IF NOT EXISTS "rate_limit"."counters" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "counters_pkey" PRIMARY KEY ("key")
);
