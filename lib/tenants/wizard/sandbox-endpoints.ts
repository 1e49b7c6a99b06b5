import "server-only";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * Where the sandbox tenant is, for the wizard's Sandbox cloud: configuration (the sandbox's endpoints.json,
 * named by PORTAL_SANDBOX_ENDPOINTS_FILE, which `npm start` sets when it starts the sandbox), never code.
 * Only the URLs are read; the file's demo secrets are ignored.
 */
const schema = z.object({ loginUrl: z.url(), graphUrl: z.url(), controlUrl: z.url() });
export type SandboxEndpoints = z.infer<typeof schema>;

export async function sandboxEndpoints(): Promise<SandboxEndpoints> {
  const file = process.env.PORTAL_SANDBOX_ENDPOINTS_FILE;
  const missing = new AppError("SANDBOX_NOT_RUNNING", {
    userMessage: "The sandbox tenant is not running with this portal (PORTAL_SANDBOX_ENDPOINTS_FILE is not set). Start the portal with `npm start` and PORTAL_SANDBOX=on, or choose a Microsoft cloud.",
    status: 409,
    fields: { cloud: "The sandbox is not running with this portal." },
  });
  if (!file) throw missing;
  try {
    return schema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (cause) {
    throw new AppError("SANDBOX_NOT_RUNNING", { userMessage: missing.userMessage, status: 409, fields: missing.fields, cause });
  }
}

export async function sandboxAvailable(): Promise<boolean> {
  return sandboxEndpoints().then(() => true, () => false);
}
