/**
 * What the upload store holds (lib/uploads: chunks in PostgreSQL), read the way the outbox reads it.
 * Imported lazily by the tests' own lazy imports: the database URL is set by then.
 */
export async function storedBytes(id: string): Promise<Buffer> {
  const { uploadSource } = await import("@/lib/sends/upload-store");
  const { readAll } = await import("@/lib/uploads/source");
  return readAll(uploadSource(id));
}

/** Whether upload `id` is stored (its row and bytes), as the outbox sees it. */
export async function uploadStored(id: string): Promise<boolean> {
  const { readUpload } = await import("@/lib/sends/upload-store");
  return (await readUpload(id)) !== null;
}

/** The stored uploads an owner has (e.g. `device:<id>` for an SMTP device's messages). */
export async function uploadsOf(ownerId: string): Promise<string[]> {
  const { db } = await import("@/lib/db");
  return (await db().upload.findMany({ where: { ownerId, storedAt: { not: null } }, select: { id: true }, orderBy: { id: "asc" } })).map((u) => u.id);
}
