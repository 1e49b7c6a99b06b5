import { describe, expect, it } from "vitest";
import { deliverySummary } from "@/lib/delivery/status";
import { requiredPermissions } from "@/lib/powershell/permissions";
import { historyFilterSchema } from "@/lib/schemas/history";
import { messageStatusSchema } from "@/lib/schemas/api-v1";

describe("delivery status", () => {
  it("summarises a send from its recipients: any failure wins, all final is delivered, else pending", () => {
    expect(deliverySummary(["delivered", "delivered"])).toBe("delivered");
    expect(deliverySummary(["delivered", "expanded"])).toBe("delivered");
    expect(deliverySummary(["delivered", "quarantined"])).toBe("failed");
    expect(deliverySummary(["pending", "filteredAsSpam"])).toBe("failed");
    expect(deliverySummary(["delivered", "pending"])).toBe("pending");
    expect(deliverySummary(["gettingStatus"])).toBe("pending");
    expect(deliverySummary([])).toBe("pending");
  });

  it("asks for ExchangeMessageTrace.Read.All (application, Microsoft's app role id) only when chosen, with the reason", () => {
    const base = { useApplication: true, useDelegated: false, largeAttachments: false };
    expect(requiredPermissions(base).map((p) => p.name)).not.toContain("ExchangeMessageTrace.Read.All");
    const p = requiredPermissions({ ...base, messageTrace: true }).find((x) => x.name === "ExchangeMessageTrace.Read.All");
    expect(p).toMatchObject({ type: "Role", id: "89b20d8a-76e2-4057-867b-9961f800b9a4", why: expect.stringMatching(/delivery status/i) });
    // Delegated-only tenants send no application mail to trace.
    expect(requiredPermissions({ useApplication: false, useDelegated: true, largeAttachments: false, messageTrace: true }).map((x) => x.name)).not.toContain("ExchangeMessageTrace.Read.All");
  });

  it("History's delivery filter takes delivered / failed / pending and names the field otherwise", () => {
    expect(historyFilterSchema.parse({ delivery: "delivered" }).delivery).toBe("delivered");
    expect(historyFilterSchema.parse({ delivery: "" }).delivery).toBeUndefined();
    const bad = historyFilterSchema.safeParse({ delivery: "<script>" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["delivery"]);
  });

  it("the API's MessageStatus carries per-recipient delivery", () => {
    const shape = messageStatusSchema.shape;
    expect(Object.keys(shape)).toEqual(expect.arrayContaining(["deliveryStatus", "delivery"]));
  });
});
