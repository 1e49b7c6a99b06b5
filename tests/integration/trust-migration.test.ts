import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { applyMigrations, createTestDatabase } from "../support/db";

// Upgrading a portal that ran before the trust model: nothing breaks silently. Everyone who could send
// keeps exactly the mailboxes they could use, as explicit grants; Microsoft users get their tid.
const MIGRATION = "20261203090000_trust_model";
let dbh: { url: string; drop(): Promise<void> };
let c: pg.Client;

beforeAll(async () => {
  dbh = await createTestDatabase({ before: MIGRATION });
  c = new pg.Client({ connectionString: dbh.url });
  await c.connect();
});

afterAll(async () => {
  await c?.end();
  await dbh?.drop();
});

const q = async <T>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];

describe("the trust-model migration on an existing portal", () => {
  it("turns what each person could send as into grants, and Microsoft users' tenants into their tid", async () => {
    const dir = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    await q(`insert into "Tenant"(id, name, "directoryId", "updatedAt") values ('t1', 'Contoso', $1, now()), ('t2', 'Fabrikam', 'fabrikam.com', now())`, [dir.toUpperCase()]);
    await q(`insert into "SenderMailbox"(id, "tenantId", address, allowed) values
      ('m1', 't1', 'hr@contoso.com', true), ('m2', 't1', 'old@contoso.com', false), ('m3', 't2', 'ops@fabrikam.com', true)`);
    await q(`insert into "User"(id, email, role, "tenantId", "entraObjectId", disabled, "updatedAt") values
      ('admin', 'admin@example.com', 'admin', null, null, false, now()),
      ('sender1', 'adele@contoso.com', 'sender', 't1', 'oid-1', false, now()),
      ('gone', 'gone@contoso.com', 'sender', 't1', 'oid-2', true, now()),
      ('auditor', 'audit@contoso.com', 'auditor', 't1', 'oid-3', false, now())`);
    await applyMigrations(dbh.url, { from: MIGRATION });

    const grants = await q<{ userId: string; address: string }>(`select g."userId", m.address from "SenderGrant" g join "SenderMailbox" m on m.id = g."mailboxId" order by 1, 2`);
    expect(grants).toEqual([
      { userId: "admin", address: "hr@contoso.com" },
      { userId: "admin", address: "ops@fabrikam.com" },
      { userId: "sender1", address: "hr@contoso.com" },
    ]);
    const users = await q<{ id: string; entraTid: string | null }>(`select id, "entraTid" from "User" order by id`);
    expect(users).toEqual([
      { id: "admin", entraTid: null },
      { id: "auditor", entraTid: dir },
      { id: "gone", entraTid: dir },
      { id: "sender1", entraTid: dir },
    ]);
    const [t] = await q<{ admission: string }>(`select admission from "Tenant" where id = 't1'`);
    expect(t?.admission).toBe("approval");
    // A grant names exactly one principal; local accounts keep unique addresses in any case.
    await expect(q(`insert into "SenderGrant"(id, "mailboxId", "userId", "groupId") values ('bad2', 'm1', null, null)`)).rejects.toThrow(/SenderGrant_one_principal/);
    await q(`insert into "User"(id, email, role, "passwordHash", "updatedAt") values ('l1', 'Boss@example.com', 'admin', 'h', now())`);
    await expect(q(`insert into "User"(id, email, role, "passwordHash", "updatedAt") values ('l2', 'boss@EXAMPLE.com', 'admin', 'h', now())`)).rejects.toThrow(/User_local_email_key/);
    // A Microsoft account may share a local account's address: the address is not identity.
    await q(`insert into "User"(id, email, role, "entraTid", "entraObjectId", "updatedAt") values ('ms1', 'boss@example.com', 'sender', $1, 'oid-9', now())`, [dir]);
  });
});
