import "server-only";
import { db } from "../db";
import { encryptSecret } from "../crypto";
import { REFRESH_TOKEN_PURPOSE } from "../secret-columns";

/**
 * Keeps a Microsoft refresh token (encrypted) on the person's Account row, creating the row if needed.
 * The ciphertext is bound to the row's id (lib/crypto.ts), so the id must be known before the value is
 * written: an existing row is updated with a value bound to its id; a new row is created first and the
 * token written bound to the new id, in the same transaction (nobody sees the row without its token).
 * Two sign-ins racing to create the same row: the loser's create hits the unique (provider, account) key,
 * and it retries once as an update of the winner's row.
 */
export async function storeRefreshToken(a: { userId: string; provider: string; providerAccountId: string; refreshToken: string; scope?: string | null }): Promise<void> {
  const seal = (rowId: string) => encryptSecret(a.refreshToken, { purpose: REFRESH_TOKEN_PURPOSE, rowId });
  const scope = a.scope ?? null;
  for (let attempt = 0; ; attempt++) {
    try {
      await db().$transaction(async (tx) => {
        const existing = await tx.account.findUnique({
          where: { provider_providerAccountId: { provider: a.provider, providerAccountId: a.providerAccountId } },
          select: { id: true },
        });
        if (existing) {
          await tx.account.update({ where: { id: existing.id }, data: { userId: a.userId, scope, refreshTokenCipher: seal(existing.id) }, select: { id: true } });
          return;
        }
        const row = await tx.account.create({ data: { userId: a.userId, provider: a.provider, providerAccountId: a.providerAccountId, scope }, select: { id: true } });
        await tx.account.update({ where: { id: row.id }, data: { refreshTokenCipher: seal(row.id) }, select: { id: true } });
      });
      return;
    } catch (err) {
      const unique = !!err && typeof err === "object" && (err as { code?: string }).code === "P2002";
      if (!unique || attempt > 0) throw err;
    }
  }
}
