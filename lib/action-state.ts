/** The state every server action returns to its form (lib/action.ts). Safe for the browser to import. */
export type ActionState<R = unknown> =
  | { status: "idle" }
  | { status: "ok"; message?: string; data?: R }
  | {
      status: "error";
      message: string;
      fields?: Record<string, string>;
      /** What the user typed (secrets excluded), so a refused form loses nothing. */
      values?: Record<string, string>;
      code?: string;
    };

export const idle: ActionState<never> = { status: "idle" };
