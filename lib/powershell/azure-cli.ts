/**
 * The Azure CLI equivalent of the registration script (GRAPH-FACTS §8), for bash. Every value is
 * single-quoted with shQuote; shell variables only ever hold what az printed.
 */
import { GRAPH_APP_ID, appRoles, requiredPermissions } from "./permissions";
import { registrationRedirectUris, type RegistrationInput } from "./app-registration";
import { shQuote } from "./quote";

export function azureCliRegistration(i: RegistrationInput): string {
  const perms = requiredPermissions(i);
  const lines = [
    "#!/usr/bin/env bash",
    "# Graph Mail Portal: register the Entra ID app with the Azure CLI (az).",
    "set -euo pipefail",
    `az login --tenant ${shQuote(i.directoryId)} --allow-no-subscriptions`,
    "",
    `app_id=$(az ad app create --display-name ${shQuote(i.displayName)} --sign-in-audience AzureADMyOrg \\`,
    `  --web-redirect-uris ${registrationRedirectUris(i).map(shQuote).join(" ")} --query appId --output tsv)`,
    'echo "Application (client) ID: $app_id"',
    "",
    "# Exactly the permissions the portal needs, and why:",
    ...perms.map((p) => `#   ${p.name} (${p.type === "Role" ? "application" : "delegated"}): ${p.why}.`),
    `az ad app permission add --id "$app_id" --api ${GRAPH_APP_ID} --api-permissions ${perms.map((p) => shQuote(`${p.id}=${p.type}`)).join(" ")}`,
    'az ad sp create --id "$app_id" --output none',
  ];
  if (appRoles(i).length || perms.length) {
    lines.push("# Admin consent for every permission above (needs a Global Administrator).", 'az ad app permission admin-consent --id "$app_id"');
  }
  if (i.credential === "secret") {
    lines.push(
      "",
      "# A client secret. Its value is printed ONCE: paste it into the portal's credential step now.",
      `az ad app credential reset --id "$app_id" --append --display-name ${shQuote("Graph Mail Portal")} --end-date ${shQuote(i.secretEndDateTime.slice(0, 10))} --query password --output tsv`,
    );
  } else {
    lines.push(
      "",
      "# Certificate: download the portal's certificate (.cer, PEM) from the credential step next to this script, then:",
      `# az ad app credential reset --id "$app_id" --append --cert @graph-mail-portal.cer`,
    );
  }
  return `${lines.join("\n")}\n`;
}
