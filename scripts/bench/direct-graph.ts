/**
 * The benchmark's client without the portal (run by scripts/bench/bulk.ts in a process of its own, so
 * NODE_EXTRA_CA_CERTS trusts the sandbox): real MSAL + the Graph SDK calling sendMail directly.
 *  - DIRECT_MODE=naive: the article's script — a for-loop of sendMail, one message after the other, no
 *    pacing, no retry: an error is logged and the message is lost. Prints {sent, lost, firstAt, lastAt}.
 *  - DIRECT_MODE=latency: sequential sendMail calls; prints each call's milliseconds (request → 202).
 * Input (env): DIRECT_ENDPOINTS (the sandbox's endpoints.json), DIRECT_SENDERS (comma-separated),
 * DIRECT_TO, DIRECT_COUNT, DIRECT_PREFIX.
 */
import { readFileSync } from "node:fs";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";

const e = JSON.parse(readFileSync(process.env.DIRECT_ENDPOINTS!, "utf8")) as { loginUrl: string; graphUrl: string; tenant: { id: string }; app: { clientId: string; clientSecret: string } };
const senders = process.env.DIRECT_SENDERS!.split(",");
const to = process.env.DIRECT_TO!;
const count = Number(process.env.DIRECT_COUNT);
const prefix = process.env.DIRECT_PREFIX ?? "direct";

const msal = new ConfidentialClientApplication({
  auth: { clientId: e.app.clientId, authority: `${e.loginUrl}/${e.tenant.id}`, knownAuthorities: [new URL(e.loginUrl).host], clientSecret: e.app.clientSecret },
});
const client = Client.initWithMiddleware({
  baseUrl: e.graphUrl,
  defaultVersion: "v1.0",
  customHosts: new Set([new URL(e.graphUrl).hostname]),
  authProvider: { getAccessToken: async () => (await msal.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] }))!.accessToken },
});

const message = (i: number) => ({
  message: { subject: `${prefix} ${i}`, body: { contentType: "HTML", content: `<p>${prefix} ${i}</p>` }, toRecipients: [{ emailAddress: { address: to } }] },
  saveToSentItems: true,
});

async function main() {
  // The token is fetched once before timing (the portal's is cached too).
  await msal.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
  if (process.env.DIRECT_MODE === "latency") {
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await client.api(`/users/${encodeURIComponent(senders[i % senders.length]!)}/sendMail`).post(message(i));
      ms.push(performance.now() - t);
    }
    console.log(JSON.stringify({ ms }));
    return;
  }
  let sent = 0;
  let lost = 0;
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    try {
      await client.api(`/users/${encodeURIComponent(senders[i % senders.length]!)}/sendMail`).post(message(i));
      sent++;
    } catch {
      lost++; // the article's loop writes the error and goes on to the next user
    }
  }
  console.log(JSON.stringify({ sent, lost, realSeconds: (Date.now() - start) / 1000 }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
