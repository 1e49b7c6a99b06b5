/**
 * Checks a request body against Microsoft Graph's v1.0 types (csdl-types.ts, generated from the
 * published CSDL) the way Graph's OData reader does, before the sandbox reads it:
 *
 * - A property the type does not define → 400 RequestBodyRead "The property 'x' does not exist on
 *   type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type
 *   or mark the type as open type." (observed: microsoftgraph/msgraph-sdk-python issue 440 for
 *   message, issue 313 for recipient). Graph refuses these on message although the CSDL marks message
 *   OpenType — the observed answer wins.
 * - An attachment without "@odata.type" is read as the abstract microsoft.graph.attachment, so its
 *   contentBytes is unknown → the same error on 'microsoft.graph.attachment' (observed:
 *   microsoftgraph/microsoft-graph-docs-contrib issue 310). An attachment without "@odata.type" and
 *   without any fileAttachment property → 400 RequestBodyRead "Cannot process input of abstract type
 *   'microsoft.graph.attachment'." — UNCONFIRMED: wording adapted from an observed 2018 answer
 *   (msgraph-sdk-java issue 195, 422 on the Outlook endpoint); the status is the sandbox's choice.
 * - An "@odata.type" naming no type of the model → 400 RequestBodyRead "A type named 'x' could not be
 *   resolved by the model. …" (observed: msgraph-sdk-dotnet issue 984).
 * - Edm.Binary that is not base64 → 400 RequestBodyRead "Cannot convert the literal '…' to the expected
 *   type 'Edm.Binary'." (observed: msgraph-sdk-powershell issue 3159). Other primitive mismatches use
 *   the same wording with their type (unconfirmed). An unknown enum member → "The string 'x' is not a
 *   valid enumeration type constant." (UNCONFIRMED wording; Graph accepts enum members in any case,
 *   e.g. "HTML" in graph/api/user-sendmail).
 * - Unknown sendMail parameters → 400 RequestBodyRead "The parameter 'x' in the request payload is not
 *   a valid parameter for the operation 'sendMail'." (UNCONFIRMED wording).
 *
 * Property names are matched case-insensitively (the sandbox's long-standing choice; whether Graph
 * accepts "Subject" for "subject" is UNCONFIRMED — the documented examples use camelCase, and the
 * CSDL's own sendMail parameters are "Message"/"SaveToSentItems" while the docs send "message"/"saveToSentItems").
 * Instance annotations ("@odata.type", …) and property annotations ("x@odata.type") are allowed.
 * Navigation properties other than attachments (extensions, extended properties) are accepted as
 * collections and not looked into (the sandbox does not store them).
 */
import { CSDL_ENUMS, CSDL_TYPES, SENDMAIL_PARAMETERS } from "./csdl-types";
import { GraphHttpError } from "./pipeline";

const NS = "microsoft.graph.";
const readError = (message: string) => new GraphHttpError(400, "RequestBodyRead", message);
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const unknownProperty = (name: string, type: string) =>
  readError(`The property '${name}' does not exist on type '${NS}${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);

const literal = (v: unknown) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
const cannotConvert = (v: unknown, type: string) => readError(`Cannot convert the literal '${literal(v)}' to the expected type '${type}'.`);

/** Types whose BaseType chain reaches `declared` (fileAttachment → attachment). */
function derivesFrom(type: string, declared: string): boolean {
  for (let t: string | undefined = type; t; t = CSDL_TYPES[t]?.base) if (t === declared) return true;
  return false;
}

function findKey(map: Record<string, string>, key: string): string | undefined {
  if (key in map) return key;
  const lower = key.toLowerCase();
  return Object.keys(map).find((k) => k.toLowerCase() === lower);
}

function checkPrimitive(v: unknown, type: string, name: string): void {
  if (v === null) return;
  switch (type) {
    case "Edm.String":
      if (typeof v !== "string") throw cannotConvert(v, type);
      return;
    case "Edm.Boolean":
      if (typeof v !== "boolean") throw cannotConvert(v, type);
      return;
    case "Edm.Int32":
    case "Edm.Int64":
      if (typeof v !== "number" || !Number.isInteger(v)) throw cannotConvert(v, type);
      return;
    case "Edm.Binary":
      if (typeof v !== "string" || !BASE64.test(v.replace(/\s+/g, ""))) throw cannotConvert(v, type);
      return;
    case "Edm.DateTimeOffset":
      if (typeof v !== "string" || Number.isNaN(Date.parse(v))) throw cannotConvert(v, type);
      return;
    default:
      // Other Edm types do not occur in the message types the sandbox checks.
      throw new Error(`csdl-check: no rule for ${type} (property ${name})`);
  }
}

/** Checks `v` against a CSDL type reference such as "Collection(recipient)", "itemBody!", "Edm.String". */
export function checkValue(v: unknown, typeRef: string, name: string): void {
  const notNull = typeRef.endsWith("!");
  const ref = notNull ? typeRef.slice(0, -1) : typeRef;
  if (v === null) {
    // ODataLib's wording for a null in a non-nullable property (unconfirmed for Graph).
    if (notNull) throw readError(`A null value was found for the property named '${name}', which has the expected type '${ref}[Nullable=False]'. The expected type '${ref}[Nullable=False]' does not allow null values.`);
    return;
  }
  const coll = /^Collection\((.+)\)$/.exec(ref);
  if (coll) {
    if (!Array.isArray(v)) throw readError(`A node of type '${isObj(v) ? "StartObject" : "PrimitiveValue"}' was read from the JSON reader when trying to read the start of an array; however, a node of type 'StartArray' was expected.`);
    for (const item of v) checkValue(item, coll[1]!, name);
    return;
  }
  if (ref.startsWith("Edm.")) return checkPrimitive(v, ref, name);
  const members = CSDL_ENUMS[ref];
  if (members) {
    if (typeof v !== "string" || !members.some((m) => m.toLowerCase() === v.toLowerCase())) {
      throw readError(`The string '${literal(v)}' is not a valid enumeration type constant.`);
    }
    return;
  }
  if (CSDL_TYPES[ref]) {
    checkObject(v, ref);
    return;
  }
  // Navigation targets the sandbox does not model (extension, extended properties): accepted as given.
}

/** Checks an object against a structured type, resolving "@odata.type" for derived types. */
export function checkObject(v: unknown, declared: string): string {
  if (!isObj(v)) throw readError(`A node of type 'PrimitiveValue' was read from the JSON reader when trying to read a resource; however, a 'StartObject' node was expected.`);
  let type = declared;
  const odataKey = Object.keys(v).find((k) => k.toLowerCase() === "@odata.type");
  if (odataKey !== undefined) {
    const given = String(v[odataKey]).replace(/^#/, "");
    const local = given.toLowerCase().startsWith(NS) ? given.slice(NS.length) : undefined;
    const found = local === undefined ? undefined : Object.keys(CSDL_TYPES).find((t) => t.toLowerCase() === local.toLowerCase());
    if (!found || !derivesFrom(found, declared)) {
      throw readError(`A type named '${given}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`);
    }
    type = found;
  }
  const t = CSDL_TYPES[type]!;
  for (const key of Object.keys(v)) {
    if (key.startsWith("@") || key.includes("@")) continue; // instance and property annotations
    const p = findKey(t.properties, key);
    if (p) {
      checkValue(v[key], t.properties[p]!, p);
      continue;
    }
    const n = findKey(t.navigation, key);
    if (n) {
      checkValue(v[key], t.navigation[n]!, n);
      continue;
    }
    throw unknownProperty(key, type);
  }
  if (t.abstract) throw readError(`Cannot process input of abstract type '${NS}${type}'.`);
  return type;
}

/** The sendMail body: {Message, SaveToSentItems} (parameter names case-insensitive), Message checked as microsoft.graph.message. */
export function checkSendMailBody(body: Record<string, unknown>): void {
  for (const key of Object.keys(body)) {
    if (key.startsWith("@")) continue;
    const p = findKey(SENDMAIL_PARAMETERS, key);
    if (!p) throw readError(`The parameter '${key}' in the request payload is not a valid parameter for the operation 'sendMail'.`);
    checkValue(body[key], SENDMAIL_PARAMETERS[p]!, p);
  }
}
