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
  /** With {"trace": true}: every statement run, with the arguments each cmdlet was bound to. */
  trace?: TraceEntry[];
}

/**
 * One statement as the runner saw it: the command and its bound arguments (after quoting was
 * undone and splats applied), or the variable an expression was assigned to, and its error if any.
 * What a test compares with the values it put into a generator: the script's data, as data.
 */
export interface TraceEntry {
  line: number;
  command?: string;
  args?: Record<string, TraceValue>;
  assign?: string;
  /** What the statement printed (objects in list view), when it printed anything. */
  output?: string[];
  error?: string;
  /** An error hidden by -ErrorAction SilentlyContinue or Ignore: not shown, not counted. */
  silenced?: string;
}

export type TraceValue = string | number | boolean | null | TraceValue[] | { [key: string]: TraceValue };

export function newSession(ctx: SandboxContext, tenantId: string, trace = false): Session {
  return { ctx, tenantId, vars: new Map(), out: [], errors: 0, graphConnected: false, exchangeConnected: false, ...(trace ? { trace: [] } : {}) };
}
