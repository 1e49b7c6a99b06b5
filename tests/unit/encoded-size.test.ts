import { describe, expect, it } from "vitest";
import { base64WithLineBreaks, estimateEncodedSize, overLimitMessage } from "@/lib/sends/encoded-size";
import { explainError } from "@/lib/graph/explain";

const MB = 1024 * 1024;
const msg = (attachments: { name: string; size: number }[]) => ({ subject: "Contracts", body: "<p>Attached</p>", addresses: ["lee.gu@contoso.sandbox"], headers: [], attachments });

describe("encoded size (what Exchange compares with MaxSendSize)", () => {
  it("counts base64 with a CRLF every 76 characters", () => {
    expect(base64WithLineBreaks(57)).toBe(76 + 2);
    expect(base64WithLineBreaks(3 * MB)).toBe(4 * MB + 2 * Math.ceil((4 * MB) / 76));
  });

  it("a 27 MB file is over 35 MB once encoded; 25 MB is not", () => {
    expect(estimateEncodedSize(msg([{ name: "scan.bin", size: 27 * MB }]))).toBeGreaterThan(35 * MB);
    expect(estimateEncodedSize(msg([{ name: "scan.bin", size: 25 * MB }]))).toBeLessThan(35 * MB);
    expect(overLimitMessage(37 * MB, 35 * MB, 27 * MB)).toMatch(/^Encoded for sending, this message is about 37 MB \(27 MB of attachments/);
  });

  it("grows with every part of the message", () => {
    const base = estimateEncodedSize(msg([]));
    expect(estimateEncodedSize({ ...msg([]), subject: "x".repeat(1000) })).toBeGreaterThan(base);
    expect(estimateEncodedSize({ ...msg([]), headers: [{ name: "X-A", value: "b".repeat(500) }] })).toBeGreaterThan(base);
    expect(estimateEncodedSize(msg([{ name: "a", size: 1 }]))).toBeGreaterThan(base);
  });
});

describe("size explanations", () => {
  it("explains a 413 without a Graph envelope (attachment POSTs) and the 'maximum request length' wordings", () => {
    expect(explainError({ httpStatus: 413 }).title).toBe("The request is over 4 MB");
    expect(explainError({ httpStatus: 400, graphCode: "BadRequest", message: "The maximum request length supported is 4MB." }).title).toBe("The request is over 4 MB");
    expect(explainError({ httpStatus: 400, graphCode: "BadRequest", message: "Something else." }).title).toBe("Microsoft refused the request");
  });

  it("explains ErrorMessageSizeExceeded in the middle of an upload as the encoded size", () => {
    const x = explainError({ httpStatus: 400, graphCode: "ErrorMessageSizeExceeded", message: "scan.bin: The message exceeds the maximum supported size. (bytes 31457280-35389439/36700160)", sender: "hr@contoso.sandbox" });
    expect(x.title).toBe("The message is too large for the mailbox");
    expect(x.detail).toMatch(/in the middle of uploading an attachment: encoded for sending it exceeds 'hr@contoso.sandbox'/);
    expect(explainError({ graphCode: "ErrorMessageSizeExceeded", message: "The message exceeds the maximum supported size." }).detail).not.toMatch(/middle/);
  });
});
