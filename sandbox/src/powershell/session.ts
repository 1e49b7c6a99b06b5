import type { SandboxContext } from "../context";
import type { PSValue } from "./values";

/** One script run: the directory it acts on, its variables and what it printed. */
export interface Session {
  ctx: SandboxContext;
  /** The tenant the console is signed in to (Connect-MgGraph -TenantId may name it again). */
  tenantId: string;
  vars: Map<string, PSValue>;
  out: string[];
  errors: number;
  graphConnected: boolean;
  exchangeConnected: boolean;
}

export function newSession(ctx: SandboxContext, tenantId: string): Session {
  return { ctx, tenantId, vars: new Map(), out: [], errors: 0, graphConnected: false, exchangeConnected: false };
}
