import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import type { Role } from "@/generated/prisma/enums";
import { AppError, fieldErrors } from "./errors";
import { currentUser, type SessionUser } from "./auth/session";
import { logError } from "./log";
import { currentRequestId } from "./request-context";
import { isStorableText, UNSTORABLE_MESSAGE } from "./schemas/common";
import type { ActionState } from "./action-state";

export type { ActionState } from "./action-state";

interface Options<S extends z.ZodType> {
  schema: S;
  /** Who may call it; omit for any signed-in user. `public: true` allows anonymous callers. */
  roles?: readonly Role[];
  public?: boolean;
  /** Field names never echoed back (passwords, client secrets). */
  secret?: readonly string[];
  /** Describes the action in "Your role does not allow you to …". */
  what?: string;
}

/**
 * The one server-action wrapper: session and role check → zod validation → the call → a typed state
 * for useActionState. Field errors name the field; unexpected errors are logged and shown without
 * internals. A text field carrying what PostgreSQL cannot store (NUL, an unpaired surrogate) is refused
 * here for every form at once, before any schema or database sees it.
 */
export function action<S extends z.ZodType, R>(
  opts: Options<S>,
  fn: (input: z.infer<S>, ctx: { user: SessionUser | null }) => Promise<ActionState<R> | void>,
) {
  return async (_prev: ActionState<R>, formData: FormData): Promise<ActionState<R>> => {
    const values: Record<string, string> = {};
    const raw: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
    for (const key of new Set(formData.keys())) {
      if (key.startsWith("$ACTION")) continue;
      const all = formData.getAll(key);
      raw[key] = all.length > 1 ? all : all[0]!;
      if (!opts.secret?.includes(key) && typeof all[0] === "string") values[key] = all.map(String).join(", ");
    }
    try {
      const user = await currentUser();
      if (!opts.public) {
        if (!user) throw new AppError("UNAUTHENTICATED", { userMessage: "Your session has ended. Sign in again.", status: 401 });
        if (opts.roles && !opts.roles.includes(user.role)) {
          throw new AppError("FORBIDDEN", { userMessage: `Your role does not allow you to ${opts.what ?? "do this"}.`, status: 403 });
        }
      }
      const unstorable = Object.entries(raw).filter(([, v]) => [v].flat().some((x) => typeof x === "string" && !isStorableText(x)));
      if (unstorable.length) {
        return { status: "error", message: "Check the highlighted fields.", fields: Object.fromEntries(unstorable.map(([k]) => [k, UNSTORABLE_MESSAGE])), values };
      }
      const parsed = opts.schema.safeParse(raw);
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error.issues);
        return { status: "error", message: "Check the highlighted fields.", fields, values };
      }
      return (await fn(parsed.data, { user })) ?? { status: "ok" };
    } catch (err) {
      unstable_rethrow(err); // let redirect() and notFound() through
      if (err instanceof AppError) {
        return { status: "error", message: err.userMessage, fields: err.fields, values, code: err.code };
      }
      logError("server action failed", err, { requestId: await currentRequestId() });
      return { status: "error", message: "Something went wrong on the server. Nothing was changed; try again.", values };
    }
  };
}
