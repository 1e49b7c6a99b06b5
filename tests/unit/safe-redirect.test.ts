import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";

describe("safeRedirectPath", () => {
  // Each of these leaves the site once a browser (or one more decoding layer) reads it, or is not a path.
  const hostile = [
    "/\\evil.example/x", // `\` is `/` to browsers: //evil.example/x
    "/\t/evil.example", // TAB is dropped inside URLs: //evil.example
    "/\\t/evil",
    "/\n/evil.example",
    "/\r/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http:evil.example",
    "/%5Cevil",
    "/%5cevil.example/x",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example", // double-encoded
    "/%09/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /x",
    "/x\ny",
    "/x\u0000y",
    "/x\u0085y",
    "",
    "x",
    "?q=1",
  ];
  it.each(hostile)("refuses %j", (raw) => {
    expect(safeRedirectPath(raw)).toBe("/");
    expect(safeRedirectPath(raw, "/history")).toBe("/history");
  });

  it("refuses what is not a string", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath(null)).toBe("/");
    expect(safeRedirectPath(["/history", "//evil.example"])).toBe("/");
  });

  it("keeps a path on the portal, with its query and fragment", () => {
    expect(safeRedirectPath("/history?q=a#b")).toBe("/history?q=a#b");
    expect(safeRedirectPath("/")).toBe("/");
    expect(safeRedirectPath("/setup/abc/verify")).toBe("/setup/abc/verify");
    expect(safeRedirectPath("/history?q=a%20b&status=failed")).toBe("/history?q=a%20b&status=failed");
  });

  it("returns the parsed path, not the raw string", () => {
    expect(safeRedirectPath("/a/../history")).toBe("/history");
    expect(safeRedirectPath("/history?q=<x>")).toBe("/history?q=%3Cx%3E");
  });
});
