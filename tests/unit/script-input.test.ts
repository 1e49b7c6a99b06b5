import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { decodeScript, encodeScript } from "@/lib/scripts/convert/encoding";
import { checkZipPath, collectScripts, MAX_SCRIPT_BYTES, MAX_ZIP_ENTRIES } from "@/lib/scripts/convert/input";

const script = "Send-MailMessage -To a@contoso.com -From b@contoso.com -Subject s\n";

describe("uploaded scripts and zips", () => {
  it("refuses zip entries with path tricks, by name, and keeps the rest with their folders", () => {
    const zip = zipSync({
      "tasks/ok.ps1": strToU8(script),
      "../evil.ps1": strToU8(script),
      "tasks/../../evil2.ps1": strToU8(script),
      "/etc/evil3.ps1": strToU8(script),
      "C:/Windows/evil4.ps1": strToU8(script),
      "readme.txt": strToU8("not a script"),
      "tasks/": new Uint8Array(),
    });
    const { scripts, refused } = collectScripts([{ name: "fleet.zip", bytes: zip }]);
    expect(scripts.map((s) => s.name)).toEqual(["tasks/ok.ps1"]);
    expect(refused.map((r) => r.name).sort()).toEqual(["fleet.zip: ../evil.ps1", "fleet.zip: /etc/evil3.ps1", "fleet.zip: C:/Windows/evil4.ps1", "fleet.zip: tasks/../../evil2.ps1"]);
    expect(refused.find((r) => r.name.endsWith("../evil.ps1"))!.reason).toMatch(/climbs out/);
    expect(refused.find((r) => r.name.endsWith("evil3.ps1"))!.reason).toMatch(/absolute/);
    // Backslashes are path separators too.
    expect(checkZipPath("a\\..\\..\\x.ps1")).toEqual({ reason: expect.stringMatching(/climbs out/) });
  });

  it("refuses a zip bomb entry by its declared size without inflating it, and an archive with too many entries as a whole", () => {
    const bomb = zipSync({ "bomb.ps1": new Uint8Array(MAX_SCRIPT_BYTES + 1).fill(0x20), "fine.ps1": strToU8(script) }, { level: 9 });
    expect(bomb.length).toBeLessThan(10_000);
    const r = collectScripts([{ name: "bomb.zip", bytes: bomb }]);
    expect(r.scripts.map((s) => s.name)).toEqual(["fine.ps1"]);
    expect(r.refused).toEqual([{ name: "bomb.zip: bomb.ps1", reason: expect.stringMatching(/unpacks to 1,048,577 bytes/) }]);

    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= MAX_ZIP_ENTRIES; i++) many[`s${i}.txt`] = new Uint8Array();
    const r2 = collectScripts([{ name: "many.zip", bytes: zipSync(many) }]);
    expect(r2.scripts).toEqual([]);
    expect(r2.refused[0]!.reason).toMatch(/more than 1000 entries/);

    expect(collectScripts([{ name: "broken.zip", bytes: strToU8("PK\u0003\u0004 not really") }]).refused[0]!.reason).toMatch(/not a valid zip/);
  });

  it("reads UTF-8, UTF-8 with BOM, UTF-16 LE/BE with BOM and Windows-1252, and writes each back byte for byte", () => {
    const text = "$s = 'Grüße – 50 €'\r\n";
    const cases = [
      ["utf-8", Buffer.from(text, "utf8")],
      ["utf-8-bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")])],
      ["utf-16le", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
      ["utf-16be", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()])],
      ["windows-1252", Buffer.from([...text].map((c) => ({ ü: 0xfc, ß: 0xdf, "–": 0x96, "€": 0x80 })[c] ?? c.charCodeAt(0)))],
    ] as const;
    for (const [encoding, bytes] of cases) {
      expect(decodeScript(bytes)).toEqual({ text, encoding });
      expect(Buffer.from(encodeScript(text, encoding)).equals(bytes)).toBe(true);
    }
    expect(() => encodeScript("日本", "windows-1252")).toThrow(/cannot be written in Windows-1252/);
  });

  it("refuses binary, BOM-less UTF-16, names with control characters and what is not a script, saying why", () => {
    const r = collectScripts([
      { name: "tool.exe", bytes: new Uint8Array([0x4d, 0x5a, 0, 0]) },
      { name: "nobom.ps1", bytes: Buffer.from(script, "utf16le") },
      { name: "evil\r\nname.ps1", bytes: strToU8(script) },
      { name: "notes.txt", bytes: strToU8("hello") },
      { name: "big.ps1", bytes: new Uint8Array(MAX_SCRIPT_BYTES + 1).fill(0x20) },
      { name: "<img src=x onerror=alert(1)>.ps1", bytes: strToU8(script) },
    ]);
    expect(r.scripts.map((s) => s.name)).toEqual(["<img src=x onerror=alert(1)>.ps1"]);
    expect(r.refused).toEqual([
      { name: "tool.exe", reason: "It is not a .ps1 or .psm1 file." },
      { name: "nobom.ps1", reason: expect.stringMatching(/NUL bytes.*UTF-16 without a byte-order mark/) },
      { name: "evil??name.ps1", reason: "Its name contains control characters." },
      { name: "notes.txt", reason: "It is not a .ps1 or .psm1 file." },
      { name: "big.ps1", reason: "It is larger than 1 MB." },
    ]);
  });
});
