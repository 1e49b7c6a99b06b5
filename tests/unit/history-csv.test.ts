import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "@/lib/history/csv";
import { parseCsv } from "../support/csv";

// The CSV export's formula guard (OWASP "CSV injection"): a cell that a spreadsheet could run as a
// formula gets a leading ', including the tab and carriage-return prefixes some spreadsheets strip first.
describe("CSV formula guard", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=cmd|' /C calc'!A0", "'\t=cmd|' /C calc'!A0"],
    ["\tplain", "'\tplain"],
  ])("prefixes %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("prefixes a leading carriage return and quotes the cell, because it holds a line break", () => {
    expect(csvCell("\r=HYPERLINK(\"http://evil.invalid\")")).toBe("\"'\r=HYPERLINK(\"\"http://evil.invalid\"\")\"");
    expect(csvCell("\rplain")).toBe("\"'\rplain\"");
  });

  it("leaves other text, numbers and empty cells alone; a tab or CR later in the text is not a prefix", () => {
    expect(csvCell("Weekly report")).toBe("Weekly report");
    expect(csvCell("a\t=b")).toBe("a\t=b");
    expect(csvCell("a\r=b")).toBe("\"a\r=b\"");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("round-trips through an RFC 4180 parser with the guard kept", () => {
    const line = csvLine(["\t=1+1", "\r@x", "ok, \"quoted\""]);
    expect(parseCsv(line)).toEqual([["'\t=1+1", "'\r@x", "ok, \"quoted\""]]);
  });
});
