import "server-only";
import { explainError, type Explanation } from "@/lib/graph/explain";

/**
 * The admin consent callback's ?error=…&error_description="AADSTSnnnn: …" in plain words: the AADSTS
 * number decides when there is one, else the OAuth error (learn "v2-admin-consent", error response).
 */
export function explainConsentError(error: string, description: string | null): Explanation {
  const n = Number(/AADSTS(\d+)/.exec(description ?? "")?.[1]);
  const x = Number.isFinite(n) && n > 0 ? explainError({ aadsts: n }) : null;
  if (x && x.title !== "Microsoft refused the request") return x;
  if (error === "access_denied") return explainError({ aadsts: 65004 });
  if (error === "consent_required") return explainError({ aadsts: 90094 });
  return {
    title: "Admin consent did not complete",
    detail: `Entra ID answered "${error}"${description ? `: ${description.split(/Trace ID:/)[0]!.trim()}` : "."}`,
    action: "Check the app's client ID and redirect URIs, then open admin consent again.",
    transient: false,
  };
}
