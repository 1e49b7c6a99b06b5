import { describe, expect, it } from "vitest";
import { graphPowerShellRegistration, type RegistrationInput } from "@/lib/powershell/app-registration";
import { azureCliRegistration } from "@/lib/powershell/azure-cli";
import { requiredPermissions } from "@/lib/powershell/permissions";

// User.Read.All is asked for only when a tenant turns bulk welcome runs on (issue 12).
const base: RegistrationInput = {
  displayName: "Graph Mail Portal", directoryId: "contoso.onmicrosoft.com", useApplication: true, useDelegated: false, largeAttachments: false,
  signInRedirectUri: "https://mail.example.com/api/auth/callback/microsoft", consentRedirectUri: "https://mail.example.com/api/setup/consent",
  credential: "certificate", secretEndDateTime: "2027-05-28T00:00:00Z",
};
const USER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214";

describe("bulk directory permission", () => {
  it("adds User.Read.All (application) only with bulk directory runs on and application sending", () => {
    const names = (u: Partial<RegistrationInput>) => requiredPermissions({ ...base, ...u }).map((p) => `${p.name}:${p.type}`);
    expect(names({})).toEqual(["Mail.Send:Role"]);
    expect(names({ bulkDirectory: true })).toEqual(["Mail.Send:Role", "User.Read.All:Role"]);
    expect(names({ bulkDirectory: true, useApplication: false, useDelegated: true })).not.toContain("User.Read.All:Role");
    expect(requiredPermissions({ ...base, bulkDirectory: true }).find((p) => p.name === "User.Read.All")).toMatchObject({ id: USER_READ_ALL, why: expect.stringMatching(/createdDateTime/) });
  });

  it("puts it in the generated registration scripts, with the reason", () => {
    const ps = graphPowerShellRegistration({ ...base, bulkDirectory: true });
    expect(ps).toContain(USER_READ_ALL);
    expect(ps).toMatch(/User\.Read\.All/);
    expect(graphPowerShellRegistration(base)).not.toContain(USER_READ_ALL);
    expect(azureCliRegistration({ ...base, bulkDirectory: true })).toContain(`${USER_READ_ALL}=Role`);
  });
});
