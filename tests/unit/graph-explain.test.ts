import { describe, expect, it } from "vitest";
import { explainError } from "@/lib/graph/explain";

describe("explainError: a request over Graph's 4 MB limit", () => {
  it("explains the observed 400 BadRequest 'Maximum request length exceeded.' like a 413", () => {
    const observed = explainError({ httpStatus: 400, graphCode: "BadRequest", message: "Maximum request length exceeded." });
    expect(observed.title).toBe("The request is over 4 MB");
    expect(explainError({ httpStatus: 413, graphCode: "RequestEntityTooLarge", message: "x" }).title).toBe("The request is over 4 MB");
  });

  it("leaves other BadRequests to the generic explanation", () => {
    expect(explainError({ httpStatus: 400, graphCode: "BadRequest", message: "/me request is only valid with delegated authentication flow." }).title).toBe("Microsoft refused the request");
  });
});
