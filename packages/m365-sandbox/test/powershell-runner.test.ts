import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

// The PowerShell runner's own rules (binding, errors, values), through the control API.
let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => sb?.close());

async function run(script: string) {
  const r = await sb.control<{ transcript: string; ok: boolean; errors: number }>("/powershell/run", { script, tenant: sb.endpoints.tenant.domain });
  expect(r.status).toBe(200);
  return r.json;
}

describe("sandbox PowerShell runner", () => {
  it("keeps single-quoted values literal: $(…), backticks and Unicode quotes create nothing", async () => {
    const name = "x$(Remove-Item C:\\)`n‘’;|";
    const quoted = `'${name.replace(/['\u2018\u2019]/g, (q) => q + q)}'`;
    const r = await run(`Connect-MgGraph -NoWelcome\n$app = New-MgApplication -DisplayName ${quoted}\nWrite-Host "name=$($app.DisplayName)"`);
    expect(r.ok).toBe(true);
    expect(r.transcript).toContain(`name=${name}`);
  });

  it("binds unambiguous prefixes, splats, positions and -Name:value; refuses ambiguity and missing arguments", async () => {
    const ok = await run(`Connect-MgGraph -NoW\n$p = @{ DisplayName = 'Splatted' }\n$a = New-MgApplication @p\nWrite-Output $a.DisplayName\nWrite-Warning 'careful'\nConnect-ExchangeOnline -ShowBanner:$false`);
    expect(ok.transcript).toContain("\nSplatted");
    expect(ok.transcript).toContain("WARNING: careful");
    expect(ok.transcript).not.toContain("sandbox's Exchange Online PowerShell");
    expect(ok.ok).toBe(true);
    const bad = await run(`Connect-MgGraph -C 'x'\nNew-MgApplication -DisplayName 'a' 'extra'\nAdd-MgApplicationPassword\nConnect-MgGraph -Scopes`);
    expect(bad.errors).toBe(4);
    expect(bad.transcript).toContain("Parameter cannot be processed because the parameter name 'C' is ambiguous. Possible matches include: -ClientId -ContextScope.");
    expect(bad.transcript).toContain("Missing an argument for parameter 'Scopes'. Specify a parameter of type 'System.String[]' and try again.");
    expect(bad.transcript).toContain("A positional parameter cannot be found that accepts argument 'extra'.");
    expect(bad.transcript).toContain("Cannot process command because of one or more missing mandatory parameters: ApplicationId.");
  });

  it("refuses wrong types, unknown hashtable keys and enum values the way the modules do", async () => {
    const r = await run([
      "Connect-MgGraph -NoWelcome",
      "New-MgApplication -DisplayName 'a' -Web 'not a hashtable'",
      "New-MgApplication -DisplayName 'a' -Web @{ RedirectUri = @('https://x') }",
      "Connect-ExchangeOnline",
      `New-ApplicationAccessPolicy -AppId '${sb.endpoints.app.clientId}' -PolicyScopeGroupId '${sb.endpoints.group}' -AccessRight Allow`,
      `New-ApplicationAccessPolicy -AppId '${sb.endpoints.app.clientId}' -PolicyScopeGroupId 'all-staff@contoso.sandbox' -AccessRight DenyAccess`,
    ].join("\n"));
    expect(r.errors).toBe(4);
    expect(r.transcript).toContain(`Cannot convert the "not a hashtable" value of type "System.String" to type "System.Collections.Hashtable"`);
    expect(r.transcript).toContain("The RedirectUri property was not found for the Microsoft.Graph.PowerShell.Models.MicrosoftGraphWebApplication object.");
    expect(r.transcript).toContain("Specify one of the following enumerator names and try again: RestrictAccess, DenyAccess");
    expect(r.transcript).toContain("is a MailUniversalDistributionGroup. PolicyScopeGroupId must be");
  });

  it("needs Connect-MgGraph first, stops at -ErrorAction Stop, refuses what it does not execute, and reports syntax errors", async () => {
    const r = await run(`New-MgApplication -DisplayName 'a'\nforeach ($x in @(1)) { Write-Host $x }\nGet-MgApplication -Filter 'bogus' -ErrorAction Stop\nWrite-Host 'not reached'`);
    expect(r.transcript).toContain("New-MgApplication : Authentication needed. Please call Connect-MgGraph.");
    expect(r.transcript).toContain("does not execute 'foreach statement' statements");
    expect(r.transcript).not.toContain("not reached");
    expect(r.errors).toBe(3);
    const syntax = await run("Write-Host 'unterminated");
    expect(syntax).toMatchObject({ ok: false, errors: 1 });
    expect(syntax.transcript).toContain("syntax error");
  });

  it("pipes into Where-Object's comparison form, runs if/else with PowerShell's truth rules, refuses other pipelines", async () => {
    const r = await run([
      "Connect-MgGraph -NoWelcome",
      "$a = New-MgApplication -DisplayName 'Piped'",
      "$sp = New-MgServicePrincipal -AppId $a.AppId",
      "$hit = Get-MgServicePrincipal -All | Where-Object AppId -EQ $a.AppId",
      "$miss = Get-MgServicePrincipal -All | Where-Object AppId -EQ 'nope'",
      "if ($hit) { Write-Host \"hit=$($hit.DisplayName)\" } else { Write-Host 'no hit' }",
      "if ($miss) { Write-Host 'wrong' } else { Write-Host 'miss is empty' }",
      "if (@()) { Write-Host 'wrong' } else { Write-Host 'empty list is false' }",
      "Get-MgServicePrincipal -All | Where-Object { $_.AppId -eq 'x' }",
      "Get-MgServicePrincipal -All | New-MgApplication",
      "Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -AppRoleAssignmentId 'f0000000-0000-4000-8000-000000000000'",
      "Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -AppRoleAssignmentId $miss",
    ].join("\n"));
    expect(r.transcript).toContain("hit=Piped");
    expect(r.transcript).toContain("miss is empty");
    expect(r.transcript).toContain("empty list is false");
    expect(r.transcript).not.toContain("wrong");
    expect(r.transcript).toContain("does not execute");
    expect(r.transcript).toContain("piping into New-MgApplication");
    expect(r.transcript).toContain("Resource 'f0000000-0000-4000-8000-000000000000' does not exist");
    expect(r.transcript).toContain("Cannot bind argument to parameter 'AppRoleAssignmentId' because it is an empty string.");
    expect(r.errors).toBe(4);
  });

  it("answers 400 naming the bad fields", async () => {
    const r = await sb.control<{ error: { fields: string[] } }>("/powershell/run", { script: "", tenant: "nowhere.example", extra: 1, trace: "yes" });
    expect(r.status).toBe(400);
    expect(r.json.error.fields).toEqual(["script", "tenant", "trace", "extra"]);
  });

  it("with trace, lists each statement with the arguments its cmdlet was bound to", async () => {
    const r = await sb.control<{ trace: unknown[]; errors: number }>("/powershell/run", {
      tenant: sb.endpoints.tenant.domain, trace: true,
      script: "# a comment is not a statement\n$p = @{ DisplayName = 'it''s'; Web = @{ RedirectUris = @('https://a', 'https://b') } }\nNew-MgApplication @p\nWrite-Output -InputObject ([System.Convert]::FromBase64String('QUJD'))\nRemove-Item 'x'\n",
    });
    expect(r.status).toBe(200);
    expect(r.json.trace).toEqual([
      { line: 2, assign: "$p" },
      { line: 3, command: "New-MgApplication", args: { DisplayName: "it's", Web: { RedirectUris: ["https://a", "https://b"] } }, error: "Authentication needed. Please call Connect-MgGraph." },
      { line: 4, command: "Write-Output", args: { InputObject: { base64: "QUJD" } }, output: ["65 66 67"] },
      { line: 5, command: "Remove-Item", error: "The term 'Remove-Item' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again." },
    ]);
    // Without trace the answer has none.
    const plain = await run("Write-Output 'x'");
    expect(plain).not.toHaveProperty("trace");
  });
});
