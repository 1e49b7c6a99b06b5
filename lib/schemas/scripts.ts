import { z } from "zod";
import { recordIdSchema } from "./common";

/** The script converter's forms and routes (browser-safe: the upload form and the handlers share them). */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const ONE_LINE = /^[^\u0000-\u001f\u007f]+$/;

export const SCRIPT_MAX_PASTE_CHARS = 1024 * 1024;

export const uploadScriptsSchema = z.object({
  tenantId: recordIdSchema("The tenant"),
  /** The Import-Module argument: the module's name, or the path of GraphMail.psd1 on the machines that run the scripts. */
  modulePath: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .max(260, "A module path has at most 260 characters")
      .regex(ONE_LINE, "The module path is one line without control characters")
      .default("GraphMail"),
  ),
  pasted: z.preprocess(blank, z.string().max(SCRIPT_MAX_PASTE_CHARS, "A pasted script has at most 1,048,576 characters").optional()),
  pastedName: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .max(200, "A file name has at most 200 characters")
      .regex(ONE_LINE, "The file name is one line without control characters")
      .regex(/\.(ps1|psm1)$/i, "The file name ends in .ps1 or .psm1")
      .default("pasted.ps1"),
  ),
});

export const scriptIdSchema = z.object({ scriptId: recordIdSchema("The script") });

export const reconvertScriptSchema = z.object({
  scriptId: recordIdSchema("The script"),
  modulePath: uploadScriptsSchema.shape.modulePath.optional(),
});

export const scriptDownloadQuerySchema = z.object({ which: z.enum(["converted", "original"], { error: "which is converted or original" }).default("converted") });

export const scriptsExportQuerySchema = z.object({
  tenant: recordIdSchema("The tenant"),
  attention: z.enum(["1"]).optional(),
  ids: z.preprocess(blank, z.string().max(64 * 1000).optional()).transform((v) => (v ? v.split(",").filter(Boolean) : undefined)),
});

export const scriptsFilterSchema = z.object({
  tenant: z.preprocess(blank, recordIdSchema("The tenant").optional()),
  attention: z.preprocess(blank, z.enum(["1"]).optional()),
});
