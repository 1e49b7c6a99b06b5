import { z } from "zod";
import { emailSchema, recordIdSchema } from "./common";

/**
 * What an admin picks for the drop-in PowerShell module (the /scripts/module page and its download route):
 * the tenant, the transport and an optional default sender; `file` downloads one file instead of the zip.
 * Browser-safe.
 */
export const MODULE_TRANSPORTS = ["api", "graph"] as const;
export type ModuleTransport = (typeof MODULE_TRANSPORTS)[number];
export const MODULE_FILE_NAMES = ["GraphMail.psm1", "GraphMail.psd1", "README.txt"] as const;
export type ModuleFileName = (typeof MODULE_FILE_NAMES)[number];

export const TRANSPORT_LABELS: Record<ModuleTransport, string> = {
  api: "The portal's REST API with a scoped key (recommended)",
  graph: "Straight to Microsoft Graph with a certificate",
};

export const moduleQuerySchema = z.object({
  tenant: recordIdSchema("The tenant"),
  transport: z.enum(MODULE_TRANSPORTS, { error: "Choose the REST API or Microsoft Graph with a certificate" }).default("api"),
  from: z
    .union([z.literal(""), emailSchema("The default sender is an email address such as reports@contoso.com")])
    .optional()
    .transform((v) => v || null),
  file: z.enum(MODULE_FILE_NAMES, { error: "Choose GraphMail.psm1, GraphMail.psd1 or README.txt" }).optional(),
});

export type ModuleQuery = z.infer<typeof moduleQuerySchema>;
