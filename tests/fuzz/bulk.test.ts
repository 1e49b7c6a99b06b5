/**
 * Issue 12, bad input for bulk runs: the new-run and template schemas, the CSV reader and the template
 * renderer with 1,000+ generated hostile values each. A refusal is a field error naming the field (a 422
 * AppError for the CSV), never a throw of anything else; a rendered body never carries a value's markup.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { csvRecipients } from "@/lib/bulk/csv-recipients";
import { renderHtml, renderSubject, templateErrors } from "@/lib/bulk/template";
import { controlSchema, newRunSchema, templateSchema } from "@/lib/schemas/bulk";
import { fc, holds, hostileString, wrongType } from "./support";

const value = fc.oneof({ weight: 4, arbitrary: hostileString }, { weight: 1, arbitrary: wrongType });
const FIELDS = new Set(["tenantId", "from", "name", "source", "since", "csv", "runId", "subject", "html", "cc", "attachment", "op"]);

function namesFields(r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  if (r.success) return;
  for (const i of r.error!.issues) expect(FIELDS.has(String(i.path[0]))).toBe(true);
}

describe("bulk run input", () => {
  it("the schemas refuse hostile values field by field, never by throwing", async () => {
    await holds("bulk schemas", fc.record({ tenantId: value, from: value, name: value, source: fc.oneof(value, fc.constantFrom("directory", "csv")), since: value, csv: value, runId: value, subject: value, html: value, cc: value, attachment: value, op: value }), async (v) => {
      namesFields(newRunSchema.safeParse(v));
      namesFields(templateSchema.safeParse(v));
      namesFields(controlSchema.safeParse(v));
    });
  });

  it("the CSV reader returns recipients or a 422 naming the csv field", async () => {
    const csv = fc.oneof(hostileString, fc.array(fc.array(hostileString, { maxLength: 4 }), { maxLength: 6 }).map((rows) => ["email,name", ...rows.map((r) => r.join(","))].join("\n")));
    await holds("bulk csv", csv, async (text) => {
      try {
        const r = csvRecipients(text);
        for (const x of r.recipients) expect(x.fields.mail).toBe(x.address);
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).status).toBe(422);
        expect(typeof (err as AppError).fields?.csv).toBe("string");
      }
    });
  });

  it("a rendered message never carries a value's markup or a line break in the subject", async () => {
    await holds("bulk render", fc.tuple(hostileString, hostileString), async ([a, b]) => {
      const fields = { displayName: a, "First name": b };
      expect(renderHtml("<p>{{displayName}}|{{First name}}</p>", fields).slice(3, -4)).not.toMatch(/[<>"']/);
      expect(renderSubject("{{displayName}} {{First name}}", fields)).not.toMatch(/[\r\n]/);
      expect(() => templateErrors({ subject: a, html: b }, ["displayName"])).not.toThrow();
    });
  });
});
