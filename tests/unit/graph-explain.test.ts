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

describe("explainError: a device's MIME message", () => {
  it("explains Graph's MIME refusals (documented in graph/outlook-send-mime-message) as permanent, and a message gone from disk", () => {
    for (const graphCode of ["ErrorMimeContentInvalid", "ErrorMimeContentInvalidBase64String"]) {
      const x = explainError({ httpStatus: 400, graphCode });
      expect([x.title, x.transient]).toEqual(["Microsoft could not read the message", false]);
    }
    expect(explainError({ graphCode: "MIME_MISSING", message: "gone" })).toMatchObject({ title: "The device's message is gone", detail: "gone", transient: false });
  });
});
