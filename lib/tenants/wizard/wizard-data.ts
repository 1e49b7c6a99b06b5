import "server-only";
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { stepIndex, WIZARD_STEPS, type WizardStep } from "@/lib/schemas/wizard";

/** Tenant.wizardData: per-step answers without a column of their own. Parsed leniently (old rows stay readable). */
const outcome = z.object({ address: z.string(), httpStatus: z.number().nullable(), code: z.string().nullable(), message: z.string().nullable(), sendId: z.string().optional() });

export const wizardDataSchema = z
  .object({
    /** The credential the register step's scripts plan for. */
    plannedCredential: z.enum(["secret", "certificate"]).optional(),
    verify: z
      .object({
        at: z.string(),
        tid: z.string().nullable(),
        servicePrincipalObjectId: z.string().nullable(),
        roles: z.array(z.string()),
        appDisplayName: z.string().nullable().optional(),
      })
      .optional(),
    restriction: z
      .object({
        /** How the admin restricts the app; rows saved before the choice existed have none (treated as the policy path). */
        method: z.enum(["rbac", "policy"]).optional(),
        groupAddress: z.string(),
        createGroup: z.boolean(),
        mailboxes: z.array(z.string()),
        outsideMailbox: z.string().optional(),
        scopeName: z.string(),
        savedAt: z.string(),
        /** scripted → the scripts were generated; proved → the prove step saw 202 and 403. */
        status: z.enum(["scripted", "proved", "not-enforced"]),
      })
      .optional(),
    proof: z.object({ at: z.string(), allowed: outcome, outside: outcome.nullable(), ok: z.boolean() }).optional(),
  })
  .catch({});

export type WizardData = z.infer<typeof wizardDataSchema>;

export function readWizardData(raw: unknown): WizardData {
  return wizardDataSchema.parse(raw ?? {});
}

/** The furthest of the tenant's step and the step just reached: revisiting a step never moves progress back. */
export function furthest(current: string, reached: WizardStep): WizardStep {
  return WIZARD_STEPS[Math.max(stepIndex(current), stepIndex(reached))]!;
}

/** Wizard data as Prisma JSON (undefined keys dropped, as JSON has none). */
export function toJson(data: WizardData): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(data)) as Prisma.InputJsonValue;
}
