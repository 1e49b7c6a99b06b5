import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { sandboxEndpoints } from "./sandbox-endpoints";

/**
 * The sandbox's PowerShell runner ({controlUrl}/powershell/run), shared by the setup wizard's and the
 * credential rotation's "Run in the sandbox": it parses and executes a generated script against the
 * sandbox's directory and answers the console transcript.
 */
const answer = z.object({ transcript: z.string(), ok: z.boolean(), errors: z.number() });
export type ScriptRun = z.infer<typeof answer>;

export async function runScriptInSandbox(scriptText: string, directoryId: string): Promise<ScriptRun> {
  const { controlUrl } = await sandboxEndpoints();
  let res: Response;
  try {
    res = await fetch(`${controlUrl}/powershell/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ script: scriptText, tenant: directoryId }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new AppError("SANDBOX_UNREACHABLE", { userMessage: "The sandbox did not answer. Is it still running?", status: 502, cause });
  }
  if (!res.ok) throw new AppError("SANDBOX_RUN_FAILED", { userMessage: `The sandbox refused the script (HTTP ${res.status}).`, status: 502 });
  return answer.parse(await res.json());
}

const SECRET_LINE = /^(Client secret value: )(\S+)$/m;

/**
 * A client secret printed by Add-MgApplicationPassword: returned for the portal to store encrypted, and cut
 * from the transcript, so secrets never reach the browser (a real console shows it once; here the portal is
 * the only reader that needs it).
 */
export function takePrintedSecret(run: ScriptRun): string | null {
  const secret = SECRET_LINE.exec(run.transcript)?.[2] ?? null;
  if (secret) run.transcript = run.transcript.replace(SECRET_LINE, "$1[saved, encrypted, by the portal: not shown]");
  return secret;
}
