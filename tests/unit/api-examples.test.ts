import Parser from "tree-sitter";
import PowerShell from "tree-sitter-powershell";
import { describe, expect, it } from "vitest";
import { apiExamples } from "@/lib/api-v1/examples";
import { messageRequestSchema } from "@/lib/schemas/api-v1";

// The REST API page's examples: each sends a message the API accepts, with an Idempotency-Key, and the
// PowerShell one parses with the real PowerShell grammar and keeps Windows PowerShell 5.1 working.
const parser = new Parser();
parser.setLanguage(PowerShell as unknown as Parser.Language);
const examples = apiExamples("https://mail.example.com/");

describe("API examples", () => {
  it("send a body the message schema accepts, to the portal's URL, with an Idempotency-Key and the key from the environment", () => {
    const curl = examples.find((e) => e.id === "curl")!.text;
    const body = /--data '([^']+)'/.exec(curl)?.[1];
    expect(messageRequestSchema.safeParse(JSON.parse(body!)).success).toBe(true);
    for (const e of examples) {
      expect(e.text, e.id).toContain("https://mail.example.com/api/v1/messages");
      expect(e.text, e.id).toContain("Idempotency-Key");
      expect(e.text, e.id).toContain("GMP_API_KEY");
      expect(e.text, e.id).not.toMatch(/gmp_live_[A-Za-z0-9_-]{10}/);
    }
  });

  it("the PowerShell example parses and is Windows PowerShell 5.1 compatible (TLS 1.2, UTF-8 bytes, no 7-only syntax)", () => {
    const ps = examples.find((e) => e.id === "powershell")!.text;
    expect(parser.parse(ps).rootNode.hasError).toBe(false);
    expect(ps).toContain("[Net.SecurityProtocolType]::Tls12");
    expect(ps).toContain("[Text.Encoding]::UTF8.GetBytes($json)");
    expect(ps).toContain("Invoke-RestMethod -Method Post");
    // PowerShell 7 only: ternaries, null-coalescing, pipeline chains, -SkipHttpErrorCheck, -Authentication.
    expect(ps).not.toMatch(/\?\?|&&|\|\||-SkipHttpErrorCheck|-Authentication|-StatusCodeVariable/);
  });
});
