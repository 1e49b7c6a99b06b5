import { readFileSync } from "node:fs";
import path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { EXPLAINED_GRAPH_CODES, explainError } from "@/lib/graph/explain";
import { UnsafeScriptValue } from "@/lib/powershell/quote";
import { moduleQuerySchema } from "@/lib/schemas/scripts-module";
import { buildModule, ModuleOptionError, type ModuleOptions } from "@/lib/scripts/module/build-module";
import { errorEntries } from "@/lib/scripts/module/error-table";
import { zipModule } from "@/lib/scripts/module/zip-module";
import { hostileStrings, window } from "../support/hostile-strings";
import { commands, functionName, literal, parsePs, unwrap, type Node } from "../support/ps-tree";

const TENANT = { id: "cktenant1", name: "Contoso", directoryId: "contoso.onmicrosoft.com", clientId: "11111111-2222-4333-8444-555555555555", loginUrl: "https://login.microsoftonline.com", graphUrl: "https://graph.microsoft.com" };
const api: ModuleOptions = { transport: "api", portalUrl: "https://mail.example.com", tenant: TENANT };
const graph: ModuleOptions = { transport: "graph", portalUrl: "https://mail.example.com", tenant: TENANT };
const file = (o: ModuleOptions, name: string) => buildModule(o).files.find((f) => f.path === `GraphMail/${name}`)!.content;

/** The module's configuration block, key → value as PowerShell reads it (null for $null). */
function config(psm1: string | Node): Record<string, string | null> {
  const root = typeof psm1 === "string" ? parsePs(psm1).rootNode : psm1;
  const assignment = root.descendantsOfType("assignment_expression").find((a) => unwrap(a.namedChild(0)!).text === "$script:GraphMailConfig")!;
  const hash = assignment.descendantsOfType("hash_literal_expression")[0]!;
  return Object.fromEntries(
    hash.descendantsOfType("hash_entry").map((e) => {
      const value = unwrap(e.namedChildren.at(-1)!);
      return [e.namedChild(0)!.text, value.text === "$null" ? null : literal(value)];
    }),
  );
}

/** Send-GraphMailMessage's parameters: name → the attribute text before it. */
function parameters(psm1: string): Map<string, string> {
  const root = parsePs(psm1).rootNode;
  const fn = root.descendantsOfType("function_statement").find((f) => functionName(f) === "Send-GraphMailMessage")!;
  const params = fn.descendantsOfType("param_block")[0]!.descendantsOfType("script_parameter");
  return new Map(params.map((p: Node) => [p.namedChildren.find((c) => c.type === "variable")!.text.slice(1), p.text]));
}

describe("buildModule's options", () => {
  it("the folder holds the module, its manifest and a README", () => {
    const m = buildModule(api);
    expect(m.folder).toBe("GraphMail");
    expect(m.files.map((f) => f.path)).toEqual(["GraphMail/GraphMail.psm1", "GraphMail/GraphMail.psd1", "GraphMail/README.txt"]);
  });

  it("REST API transport: the portal's URL (no trailing slash) and only the portal's code", () => {
    const psm1 = file({ ...api, portalUrl: "https://mail.example.com///" }, "GraphMail.psm1");
    expect(config(psm1)).toEqual({ Transport: "Api", TenantName: "Contoso", StoreName: "tenant-cktenant1", DefaultFrom: null, PortalUrl: "https://mail.example.com" });
    const defined = parsePs(psm1).rootNode.descendantsOfType("function_statement").map(functionName);
    expect(defined).toContain("Send-GraphMailViaPortal");
    expect(defined).not.toContain("Send-GraphMailViaGraph");
    expect(psm1).not.toContain("$script:GraphMailErrors");
    expect([...parameters(psm1).keys()]).toEqual(expect.arrayContaining(["ApiKey", "Wait", "WaitSeconds", "PassThru"]));
    expect(file(api, "README.txt")).toContain("GRAPHMAIL_API_KEY");
  });

  it("Graph transport: the tenant's token URL, client id, Graph URL and scope, for any cloud", () => {
    const gov = { ...graph, tenant: { ...TENANT, loginUrl: "https://login.microsoftonline.us/", graphUrl: "https://graph.microsoft.us/" } };
    const psm1 = file(gov, "GraphMail.psm1");
    expect(config(psm1)).toEqual({
      Transport: "Graph", TenantName: "Contoso", StoreName: "tenant-cktenant1", DefaultFrom: null,
      TenantId: "contoso.onmicrosoft.com", ClientId: TENANT.clientId,
      TokenUrl: "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token",
      GraphUrl: "https://graph.microsoft.us", GraphScope: "https://graph.microsoft.us/.default",
    });
    const defined = parsePs(psm1).rootNode.descendantsOfType("function_statement").map(functionName);
    expect(defined).toEqual(expect.arrayContaining(["Send-GraphMailViaGraph", "Get-GraphMailToken", "Get-GraphMailCertificate", "Send-GraphMailUpload"]));
    expect(defined).not.toContain("Send-GraphMailViaPortal");
    expect([...parameters(psm1).keys()]).toEqual(expect.arrayContaining(["CertificateThumbprint", "CertificatePath", "CertificatePassword"]));
    expect(file(gov, "README.txt")).toContain("GRAPHMAIL_CERT_THUMBPRINT");
  });

  it("Graph transport needs the app's client id, and says so on the transport field", () => {
    const err = (() => {
      try {
        buildModule({ ...graph, tenant: { ...TENANT, clientId: null } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModuleOptionError);
    expect((err as ModuleOptionError).field).toBe("transport");
    // The REST API transport does not need it.
    expect(() => buildModule({ ...api, tenant: { ...TENANT, clientId: null } })).not.toThrow();
  });

  it("a default sender makes -From optional; without one -From is mandatory, as in Send-MailMessage", () => {
    for (const o of [api, graph]) {
      const without = parameters(file(o, "GraphMail.psm1")).get("From")!;
      expect(without).toContain("Mandatory = $true");
      const withFrom = file({ ...o, defaultFrom: "hr@contoso.com" }, "GraphMail.psm1");
      expect(parameters(withFrom).get("From")).toContain("Mandatory = $false");
      expect(config(withFrom).DefaultFrom).toBe("hr@contoso.com");
    }
  });

  it("Send-MailMessage's parameters, positions, aliases and pipeline input (learn.microsoft.com send-mailmessage)", () => {
    const p = parameters(file(api, "GraphMail.psm1"));
    const names = ["To", "Subject", "Body", "SmtpServer", "From", "Attachments", "Cc", "Bcc", "ReplyTo", "BodyAsHtml", "Encoding", "DeliveryNotificationOption", "Priority", "Credential", "UseSsl", "Port"];
    expect([...p.keys()].slice(0, names.length)).toEqual(names);
    expect(p.get("To")).toMatch(/Mandatory = \$true, Position = 0/);
    expect(p.get("Subject")).toMatch(/Position = 1[\s\S]*\[Alias\('sub'\)\]/);
    expect(p.get("Body")).toMatch(/Position = 2/);
    expect(p.get("SmtpServer")).toMatch(/Position = 3[\s\S]*\[Alias\('ComputerName'\)\]/);
    expect(p.get("Attachments")).toMatch(/ValueFromPipeline = \$true[\s\S]*\[Alias\('PsPath'\)\][\s\S]*\[string\[\]\]/);
    expect(p.get("BodyAsHtml")).toMatch(/\[Alias\('BAH'\)\][\s\S]*\[switch\]/);
    expect(p.get("Encoding")).toMatch(/\[Alias\('BE'\)\]/);
    expect(p.get("DeliveryNotificationOption")).toMatch(/\[Alias\('DNO'\)\][\s\S]*\[System\.Net\.Mail\.DeliveryNotificationOptions\]/);
    expect(p.get("Priority")).toMatch(/\[System\.Net\.Mail\.MailPriority\]/);
    for (const n of names) expect(p.get(n), n).toMatch(/ValueFromPipelineByPropertyName = \$true/);
    // -Credential is not a PSCredential: a user name there would prompt for a password in a scheduled task.
    expect(p.get("Credential")).toMatch(/\[object\] \$Credential$/);
  });

  it("the ignored SMTP parameters warn once per session, naming them", () => {
    const psm1 = file(api, "GraphMail.psm1");
    const root = parsePs(psm1).rootNode;
    const warnings = commands(root, "Write-Warning").filter((c) => c.fn && functionName(c.fn) === "Send-GraphMailMessage");
    expect(warnings).toHaveLength(1);
    expect(psm1).toMatch(/foreach \(\$name in 'SmtpServer', 'Port', 'UseSsl', 'Credential'\)/);
    expect(psm1).toMatch(/if \(\$ignored\.Count -gt 0 -and -not \$script:GraphMailWarned\) \{\s+\$script:GraphMailWarned = \$true/);
  });

  it("reads the key or thumbprint from the parameter, the environment variable, the Windows Credential Manager or a DPAPI file — never from the module", () => {
    for (const o of [api, graph]) {
      const psm1 = file(o, "GraphMail.psm1");
      const root = parsePs(psm1).rootNode;
      const fn = (name: string) => root.descendantsOfType("function_statement").find((f) => functionName(f) === name)!;
      // The order of the look-ups inside Get-GraphMailSecret.
      const secret = fn("Get-GraphMailSecret").text;
      const at = ["$Value -is [System.Security.SecureString]", "[Environment]::GetEnvironmentVariable($Variable)", "[GraphMail.CredentialManager]::Read(", "Import-Clixml"].map((t) => secret.indexOf(t));
      expect(at.every((i) => i > 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      // The Credential Manager through advapi32's CredReadW/CredWriteW (generic credentials), only on Windows, compiled once.
      const init = fn("Initialize-GraphMailCredentialManager");
      const addType = commands(init, "Add-Type")[0]!;
      // A verbatim here-string: PowerShell passes its lines as they are.
      const here = unwrap(addType.args.get("typedefinition")!);
      expect(here.type).toBe("verbatim_here_string_characters");
      const source = here.text.replace(/^@'\n/, "").replace(/\n'@$/, "");
      expect(source).toMatch(/\[DllImport\("advapi32\.dll", CharSet = CharSet\.Unicode, SetLastError = true\)\]\s+private static extern bool CredReadW\(string target, int type, int flags, out IntPtr credential\);/);
      expect(source).toMatch(/private static extern bool CredWriteW\(ref Credential credential, int flags\);/);
      expect(source).toMatch(/CredReadW\(target, 1, 0, out found\)/);
      expect(source.split("{").length).toBe(source.split("}").length);
      expect(init.text).toMatch(/\[Environment\]::OSVersion\.Platform -ne \[PlatformID\]::Win32NT\) \{ return \$false \}[\s\S]*'GraphMail\.CredentialManager' -as \[type\]/);
      // The entry is named per tenant, and Save-GraphMailCredential writes there unless told -Store File.
      expect(fn("Get-GraphMailCredentialTarget").text).toContain("'GraphMail/' + $script:GraphMailConfig.StoreName + '/' + $Name");
      const save = fn("Save-GraphMailCredential").text;
      expect(save).toMatch(/\[ValidateSet\('CredentialManager', 'File'\)\]\s+\[string\] \$Store = 'CredentialManager'/);
      expect(save).toContain("[GraphMail.CredentialManager]::Write($target, $Name, $credential.GetNetworkCredential().Password)");
      // Each secret is read through Get-GraphMailSecret, from a parameter the caller gives (none has a default).
      const reads = commands(root, "Get-GraphMailSecret").map((c) => literal(c.args.get("variable")!));
      expect(reads.sort()).toEqual(o.transport === "api" ? ["GRAPHMAIL_API_KEY"] : ["GRAPHMAIL_CERT_THUMBPRINT", "GRAPHMAIL_PFX_PASSWORD"]);
      const p = parameters(psm1);
      for (const n of o.transport === "api" ? ["ApiKey"] : ["CertificateThumbprint", "CertificatePath", "CertificatePassword"]) expect(p.get(n), n).not.toContain("=");
      // The README names the same entry, for cmdkey too.
      expect(file(o, "README.txt")).toContain(`GraphMail/tenant-cktenant1/${o.transport === "api" ? "ApiKey" : "CertificateThumbprint"}`);
    }
  });

  it("names the DPAPI files after the tenant's id only, and keeps the manifest's GUID stable per tenant and transport", () => {
    expect(config(file({ ...api, tenant: { ...TENANT, id: "../ev il'$x" } }, "GraphMail.psm1")).StoreName).toBe("tenant-evilx");
    const guid = (o: ModuleOptions) => literal(parsePs(file(o, "GraphMail.psd1")).rootNode.descendantsOfType("hash_entry").find((e) => e.namedChild(0)!.text === "GUID")!.namedChildren.at(-1)!);
    expect(guid(api)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(guid(api)).toBe(guid({ ...api, tenant: { ...TENANT, name: "Renamed" } }));
    expect(guid(api)).not.toBe(guid(graph));
    expect(guid(api)).not.toBe(guid({ ...api, tenant: { ...TENANT, id: "cktenant2" } }));
  });

  it("the zip holds the folder's files, each UTF-8 with a byte order mark for Windows PowerShell 5.1", () => {
    const m = buildModule({ ...graph, tenant: { ...TENANT, name: "Contoso ‘Ünïcode’ 日本" } });
    const entries = unzipSync(zipModule(m));
    expect(Object.keys(entries).sort()).toEqual(m.files.map((f) => f.path).sort());
    for (const f of m.files) {
      const bytes = entries[f.path]!;
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(strFromU8(bytes.slice(3))).toBe(f.content);
    }
  });

  it("the page's and route's query: tenant, transport (REST API by default), an optional default sender and file", () => {
    expect(moduleQuerySchema.parse({ tenant: "ck1" })).toEqual({ tenant: "ck1", transport: "api", from: null });
    expect(moduleQuerySchema.parse({ tenant: "ck1", transport: "graph", from: "HR@Contoso.com", file: "README.txt" })).toEqual({ tenant: "ck1", transport: "graph", from: "hr@contoso.com", file: "README.txt" });
    const bad = moduleQuerySchema.safeParse({ tenant: "ck 1'", transport: "smtp", from: "x\r\nBcc: y@z.com", file: "../etc/passwd" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join(".")).sort()).toEqual(["file", "from", "tenant", "transport"]);
  });
});

describe("the module's error table is the portal's explanations", () => {
  it("every Graph code explainError has a case for is in EXPLAINED_GRAPH_CODES", () => {
    const source = readFileSync(path.resolve(import.meta.dirname, "../../lib/graph/explain.ts"), "utf8");
    const body = source.slice(source.indexOf("export function explainError"));
    const cases = [...body.matchAll(/case "([A-Za-z0-9_]+)":/g)].map((m) => m[1]);
    expect([...new Set(cases)].sort()).toEqual([...EXPLAINED_GRAPH_CODES].sort());
  });

  it("the generated PowerShell table carries each explanation word for word", () => {
    const psm1 = file(graph, "GraphMail.psm1");
    const root = parsePs(psm1).rootNode;
    const table = root.descendantsOfType("assignment_expression").find((a) => unwrap(a.namedChild(0)!).text === "$script:GraphMailErrors")!;
    const outer = table.descendantsOfType("hash_literal_expression")[0]!;
    const read: Record<string, { Title: string; Detail: string; Action: string }> = {};
    const transient: Record<string, boolean> = {};
    for (const e of outer.descendantsOfType("hash_entry").filter((x) => x.parent!.parent!.id === outer.id)) {
      const inner = Object.fromEntries(e.namedChildren.at(-1)!.descendantsOfType("hash_entry").map((x) => [x.namedChild(0)!.text, x.namedChildren.at(-1)!]));
      read[literal(e.namedChild(0)!)!] = { Title: literal(inner.Title!)!, Detail: literal(inner.Detail!)!, Action: literal(inner.Action!)! };
      transient[literal(e.namedChild(0)!)!] = unwrap(inner.Transient!).text === "$true";
    }
    const entries = errorEntries();
    expect(Object.keys(read).sort()).toEqual(entries.map((e) => e.key).sort());
    for (const e of entries) {
      expect(read[e.key], e.key).toEqual({ Title: e.title, Detail: e.detail, Action: e.action });
      expect(transient[e.key], e.key).toBe(e.transient);
    }
    // The sender is filled in at run time, where the portal would name it.
    expect(read.ErrorInvalidUser!.Detail).toBe(explainError({ graphCode: "ErrorInvalidUser", sender: "{{sender}}" }).detail);
    expect(read.ErrorInvalidUser!.Detail).toContain("'{{sender}}'");
    expect(read["AADSTS700027"]!.Title).toBe("The certificate does not match");
    expect(read["ErrorAccessDenied:Restricted"]!.Title).toBe("This mailbox is outside the app's restriction");
  });
});

describe("hostile values in every slot stay one literal, and the module keeps its shape", () => {
  const strings = hostileStrings(150, 13);
  const shapeOf = (t: string) => parsePs(t).rootNode.toString();

  for (const transport of ["api", "graph"] as const) {
    it(`${transport}: 150 × 7 hostile tenant names, URLs, ids and senders parse and read back intact`, () => {
      const make = ([name, portal, from, dir, client, login, graphPath]: string[]): ModuleOptions => ({
        transport,
        portalUrl: `https://portal.example.com/${portal}`,
        defaultFrom: `${from}@contoso.com`,
        tenant: { id: "ck1", name: name!, directoryId: dir!, clientId: `c${client}`, loginUrl: `https://login.example.com/${login}`, graphUrl: `https://graph.example.com/${graphPath}` },
      });
      const reference = buildModule(make(["n", "p", "f", "d", "c", "l", "g"])).files;
      const refShapes = reference.filter((f) => !f.path.endsWith(".txt")).map((f) => shapeOf(f.content));
      for (let i = 0; i < strings.length; i++) {
        const v = window(strings, i, 7);
        const o = make(v);
        const label = JSON.stringify(v).slice(0, 300);
        const files = buildModule(o).files;
        const [psm1, psd1] = [parsePs(files[0]!.content).rootNode, parsePs(files[1]!.content).rootNode];
        expect(psm1.hasError || psd1.hasError, label).toBe(false);
        expect([psm1.toString(), psd1.toString()], label).toEqual(refShapes);
        const c = config(psm1);
        expect(c.TenantName, label).toBe(v[0]);
        expect(c.DefaultFrom, label).toBe(`${v[2]}@contoso.com`);
        if (transport === "api") expect(c.PortalUrl, label).toBe(`https://portal.example.com/${v[1]}`.replace(/\/+$/, ""));
        else {
          expect(c.TenantId, label).toBe(v[3]);
          expect(c.ClientId, label).toBe(`c${v[4]}`);
          expect(c.TokenUrl, label).toBe(`${`https://login.example.com/${v[5]}`.replace(/\/+$/, "")}/${v[3]}/oauth2/v2.0/token`);
          expect(c.GraphUrl, label).toBe(`https://graph.example.com/${v[6]}`.replace(/\/+$/, ""));
        }
        const description = literal(psd1.descendantsOfType("hash_entry").find((e) => e.namedChild(0)!.text === "Description")!.namedChildren.at(-1)!);
        expect(description, label).toContain(v[0]);
      }
    }, 300_000);
  }

  it("README's examples quote the default sender the same way (quotes, $(), backticks, HTML)", () => {
    for (const local of ["o'brien", "a\u2018b\u2019c", "$(Remove-Item x)", "a`b", "<b>x</b>", "''", "\u201Bq\u201A"]) {
      const readme = file({ ...api, defaultFrom: `${local}@contoso.com` }, "README.txt");
      const example = readme.split("\n").find((l) => l.trimStart().startsWith("Send-GraphMailMessage -From"))!;
      const root = parsePs(`${example.trim()}\n`).rootNode;
      expect(root.hasError, local).toBe(false);
      const cmd = commands(root, "Send-GraphMailMessage")[0]!;
      expect(literal(cmd.args.get("from")!), local).toBe(`${local}@contoso.com`);
    }
  });

  it("a naive interpolation of the same values fails the check (the check can fail)", () => {
    const naive = (v: string) => `$script:GraphMailConfig = @{\n    TenantName = '${v}'\n}\n`;
    const reference = shapeOf(naive("n"));
    const broken = strings.filter((s) => {
      const t = parsePs(naive(s));
      if (t.rootNode.hasError || t.rootNode.toString() !== reference) return true;
      try {
        return config(naive(s)).TenantName !== s;
      } catch {
        return true;
      }
    });
    expect(broken.length).toBeGreaterThan(20);
  });

  it("refuses NUL in any slot", () => {
    expect(() => buildModule({ ...api, tenant: { ...TENANT, name: "a\0b" } })).toThrow(UnsafeScriptValue);
    expect(() => buildModule({ ...graph, tenant: { ...TENANT, clientId: "a\0b" } })).toThrow(UnsafeScriptValue);
    expect(() => buildModule({ ...api, defaultFrom: "a\0b@contoso.com" })).toThrow(UnsafeScriptValue);
  });
});
