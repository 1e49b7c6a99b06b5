import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api-v1/openapi";
import { buildModule, type ModuleOptions } from "@/lib/scripts/module/build-module";
import { commands, functionName, literal, ModuleFlow, objectsOf, parsePs, unwrap, variableName, type Node, type Shape } from "../support/ps-tree";

/**
 * The module's HTTP requests, checked against the contracts they must meet, by walking its syntax tree
 * (PowerShell itself is not on these machines): every Invoke-RestMethod / Invoke-WebRequest call's
 * method, URL, headers, content type and JSON body (the hashtables handed to ConvertTo-Json, followed
 * through variables, `$x.key =` additions, function parameters and returns).
 * - REST API transport: the OpenAPI document the portal serves (lib/api-v1/openapi.ts, generated from the
 *   handlers' zod schemas): paths, methods, the bearer scheme, declared headers, required query
 *   parameters, request content types, property names, required properties and enums.
 * - Graph transport: Microsoft's documented shapes (table below, each with its page).
 * Mutated modules must fail the same checks (the checks can fail).
 */

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: string[];
  const?: string;
  anyOf?: Schema[];
};

const TENANT = { id: "cktenant1", name: "Contoso", directoryId: "contoso.onmicrosoft.com", clientId: "11111111-2222-4333-8444-555555555555", loginUrl: "https://login.microsoftonline.com", graphUrl: "https://graph.microsoft.com" };
const opts = (transport: "api" | "graph"): ModuleOptions => ({ transport, portalUrl: "https://mail.example.com/", defaultFrom: "hr@contoso.com", tenant: TENANT });
const psm1 = (o: ModuleOptions) => buildModule(o).files.find((f) => f.path.endsWith(".psm1"))!.content;

// ---------------------------------------------------------------------------------------------------
// Reading the requests out of the tree

interface HttpRequest {
  where: string;
  method: string;
  /** The URL as written, `{…}` for each variable or sub-expression after the base. */
  url: string;
  /** The configuration key the URL starts from (PortalUrl, GraphUrl, TokenUrl), or the expression it is. */
  base: string;
  path: string;
  query: string;
  headers: Map<string, Shape[]>;
  contentType: string | null;
  /** JSON shapes (ConvertTo-Json input), a form hashtable, a file, or nothing. */
  body: { kind: "json" | "form"; shapes: Shape[] } | { kind: "file" } | { kind: "empty" } | null;
}

function configKey(flow: ModuleFlow, n: Node): string {
  const u = unwrap(n);
  if (u.type === "member_access") {
    const target = variableName(u.namedChild(0)!);
    const member = u.namedChildren.find((c) => c.type === "member_name")?.text ?? "";
    if (target === "script:graphmailconfig") return member;
    if (target) return `${target}.${member}`;
  }
  if (u.type === "variable") {
    const shapes = flow.shapesOfVariable(variableName(u)!, u);
    const keys = [...new Set(shapes.map((s) => (s.kind === "scalar" ? configKey(flow, s.node) : "?")))];
    if (keys.length === 1) return keys[0]!;
    // A parameter bound from several callers: each must pass the same base.
    return keys.join("|") || u.text;
  }
  return u.text;
}

/** `"$graph/v1.0/users/$user/messages/$($draft.id)"` → base GraphUrl, path /v1.0/users/{}/messages/{}. */
function readUrl(flow: ModuleFlow, arg: Node): { base: string; url: string } {
  const u = unwrap(arg);
  if (u.type !== "expandable_string_literal") return { base: configKey(flow, u), url: "" };
  const text = u.text.slice(1, -1);
  const first = /^\$([A-Za-z_:][\w:]*)/.exec(text);
  if (!first) return { base: "(no variable)", url: text };
  const variable = u.descendantsOfType("variable").find((v) => v.text === `$${first[1]}`)!;
  let rest = text.slice(first[0].length);
  // Sub-expressions $( … ) with balanced parentheses, then plain variables.
  for (;;) {
    const i = rest.indexOf("$(");
    if (i < 0) break;
    let depth = 0;
    let j = i + 1;
    for (; j < rest.length; j++) {
      if (rest[j] === "(") depth++;
      else if (rest[j] === ")" && --depth === 0) break;
    }
    rest = `${rest.slice(0, i)}{}${rest.slice(j + 1)}`;
  }
  rest = rest.replace(/\$[A-Za-z_][\w]*/g, "{}");
  return { base: configKey(flow, variable), url: rest };
}

function bodyOf(flow: ModuleFlow, arg: Node, depth = 0): HttpRequest["body"] {
  const u = unwrap(arg);
  if (depth > 6) return null;
  if (u.type === "verbatim_string_characters" && literal(u) === "") return { kind: "empty" };
  if (u.type === "hash_literal_expression") return { kind: "form", shapes: flow.shapes(u) };
  if (u.type === "command" && /^convertto-json$/i.test(u.namedChildren.find((c) => c.type === "command_name")?.text ?? "")) {
    const input = commands(u, "ConvertTo-Json")[0]!.args.get("inputobject");
    return input ? { kind: "json", shapes: flow.shapes(input) } : null;
  }
  if (u.type === "variable") {
    const name = variableName(u)!;
    const fn = u.parent ? findFunction(u) : null;
    const assigned = (fn ?? flow.root).descendantsOfType("assignment_expression").filter((a) => variableName(a.namedChild(0)!) === name);
    for (const a of assigned) {
      const b = bodyOf(flow, a.namedChildren.at(-1)!, depth + 1);
      if (b) return b;
    }
    const shapes = flow.shapesOfVariable(name, u);
    if (objectsOf(shapes).length > 0) return { kind: "form", shapes };
    return null;
  }
  // An expression such as [Text.Encoding]::UTF8.GetBytes($json): follow the variables it reads.
  for (const v of u.descendantsOfType("variable")) {
    const b = bodyOf(flow, v, depth + 1);
    if (b) return b;
  }
  for (const c of u.descendantsOfType("command")) {
    const b = bodyOf(flow, c, depth + 1);
    if (b) return b;
  }
  return null;
}

function findFunction(n: Node): Node | null {
  for (let p: Node | null = n.parent; p; p = p.parent) if (p.type === "function_statement") return p;
  return null;
}

export function httpRequests(text: string): HttpRequest[] {
  const tree = parsePs(text);
  expect(tree.rootNode.hasError).toBe(false);
  const flow = new ModuleFlow(tree.rootNode);
  return commands(tree.rootNode, "Invoke-RestMethod", "Invoke-WebRequest", "irm", "iwr").map((c) => {
    const method = c.args.get("method");
    const uri = c.args.get("uri");
    if (!uri) throw new Error(`${c.node.text}: no -Uri`);
    const { base, url } = readUrl(flow, uri);
    const [path, query = ""] = url.split("?");
    const headerArg = c.args.get("headers");
    const headers = new Map<string, Shape[]>();
    if (headerArg) for (const o of objectsOf(flow.shapes(headerArg))) for (const [k, v] of o.props) headers.set(k, v);
    const ct = c.args.get("contenttype");
    const bodyArg = c.args.get("body");
    return {
      where: c.fn ? functionName(c.fn) : "(top level)",
      method: method ? literal(method)!.toUpperCase() : "GET",
      url,
      base,
      path: path!,
      query,
      headers,
      contentType: ct ? literal(ct) : null,
      body: c.args.has("infile") ? { kind: "file" } : bodyArg ? bodyOf(flow, bodyArg) : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Checking shapes against schemas

function checkShape(shapes: Shape[], schema: Schema, resolve: (s: Schema) => Schema, at: string, errors: string[]): void {
  const s = resolve(schema);
  if (s.anyOf) {
    const ok = s.anyOf.some((alt) => {
      const e: string[] = [];
      checkShape(shapes, alt, resolve, at, e);
      return e.length === 0;
    });
    if (!ok) errors.push(`${at}: matches none of the alternatives`);
    return;
  }
  for (const shape of shapes) {
    if (shape.kind === "scalar") {
      // A value only known at run time (a variable, a .NET call) cannot be checked; a literal can.
      if (shape.literal === null) continue;
      if (s.type === "object" || s.type === "array") errors.push(`${at}: a ${s.type} is expected, the module writes ${JSON.stringify(shape.literal)}`);
      if (s.enum && !s.enum.includes(shape.literal)) errors.push(`${at}: ${JSON.stringify(shape.literal)} is not one of ${s.enum.join(", ")}`);
      if (s.const !== undefined && s.const !== shape.literal) errors.push(`${at}: must be ${JSON.stringify(s.const)}, the module writes ${JSON.stringify(shape.literal)}`);
      continue;
    }
    if (shape.kind === "array") {
      if (s.type !== "array") errors.push(`${at}: an array where the contract has ${s.type ?? "a value"}`);
      else if (s.items) checkShape(shape.items, s.items, resolve, `${at}[]`, errors);
      continue;
    }
    if (s.type !== "object" && !s.properties) {
      errors.push(`${at}: an object where the contract has ${s.type ?? "a value"}`);
      continue;
    }
    const props = s.properties ?? {};
    for (const key of shape.props.keys()) if (!(key in props)) errors.push(`${at}.${key}: not a property of the contract (${Object.keys(props).join(", ")})`);
    for (const key of s.required ?? []) if (!shape.props.has(key)) errors.push(`${at}.${key}: required by the contract, never set by the module`);
    for (const [key, v] of shape.props) if (props[key]) checkShape(v, props[key]!, resolve, `${at}.${key}`, errors);
  }
}

const literalsOf = (shapes: Shape[] | undefined): string[] => (shapes ?? []).flatMap((s) => (s.kind === "scalar" ? [s.node.text] : []));
const mediaType = (ct: string | null) => (ct ?? "").split(";")[0]!.trim().toLowerCase();

// ---------------------------------------------------------------------------------------------------
// (a) The REST API transport against the OpenAPI document

type Operation = { operationId: string; parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: { content: Record<string, { schema: Schema }> } };

export function checkApiModule(text: string): { errors: string[]; operations: string[] } {
  const doc = openApiDocument("https://mail.example.com") as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { scheme: string }> } };
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split("/").pop()!]!) : s);
  const errors: string[] = [];
  const operations: string[] = [];
  expect(doc.components.securitySchemes.apiKey!.scheme).toBe("bearer");
  for (const r of httpRequests(text)) {
    const at = `${r.where}: ${r.method} ${r.url}`;
    if (r.base !== "PortalUrl") errors.push(`${at}: the URL does not start at the configured portal URL (${r.base})`);
    const entry = Object.entries(doc.paths).find(([p]) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "\\{\\}")}$`).test(r.path));
    if (!entry) {
      errors.push(`${at}: no such path in the OpenAPI document`);
      continue;
    }
    const op = entry[1][r.method.toLowerCase()];
    if (!op) {
      errors.push(`${at}: ${r.method} is not an operation of ${entry[0]}`);
      continue;
    }
    operations.push(op.operationId);
    // The bearer key on every call.
    if (!literalsOf(r.headers.get("Authorization")).some((t) => /^'Bearer '/.test(t)) && !r.headers.has("Authorization")) errors.push(`${at}: no Authorization header`);
    else {
      const auth = r.headers.get("Authorization")!;
      const text = auth.map((s) => (s.kind === "scalar" ? s.node.text : "")).join(" ");
      if (!/'Bearer '/.test(text)) errors.push(`${at}: Authorization is not "Bearer <key>"`);
    }
    const declared = (op.parameters ?? []).filter((p) => p.in === "header").map((p) => p.name.toLowerCase());
    for (const h of r.headers.keys()) if (h !== "Authorization" && !declared.includes(h.toLowerCase())) errors.push(`${at}: header ${h} is not declared by the operation`);
    if (op.operationId === "sendMessage" && !r.headers.has("Idempotency-Key")) errors.push(`${at}: no Idempotency-Key (a retried POST could queue the message twice)`);
    for (const q of (op.parameters ?? []).filter((p) => p.in === "query" && p.required)) {
      if (!new RegExp(`(^|&)${q.name}=`).test(r.query)) errors.push(`${at}: the required query parameter ${q.name} is missing`);
    }
    const content = op.requestBody?.content;
    if (content) {
      const type = mediaType(r.contentType);
      const media = content[type];
      if (!media) errors.push(`${at}: Content-Type ${r.contentType} is not one the operation accepts (${Object.keys(content).join(", ")})`);
      else if (type === "application/json") {
        if (r.body?.kind !== "json") errors.push(`${at}: the body is not JSON from ConvertTo-Json`);
        else checkShape(r.body.shapes, media.schema, resolve, `${at} body`, errors);
      } else if (r.body?.kind !== "file") errors.push(`${at}: the upload does not stream a file (-InFile)`);
    } else if (r.body) errors.push(`${at}: a body on an operation that takes none`);
  }
  return { errors, operations };
}

// ---------------------------------------------------------------------------------------------------
// (b) The Graph transport against Microsoft's documented shapes

const str: Schema = { type: "string" };
const bool: Schema = { type: "boolean" };
/** graph/api/resources/emailaddress, graph/api/resources/recipient */
const emailAddress: Schema = { type: "object", required: ["address"], properties: { address: str, name: str } };
const recipient: Schema = { type: "object", required: ["emailAddress"], properties: { emailAddress } };
const recipients: Schema = { type: "array", items: recipient };
/** graph/api/resources/fileattachment */
const fileAttachment: Schema = {
  type: "object",
  required: ["@odata.type", "name", "contentBytes"],
  properties: { "@odata.type": { const: "#microsoft.graph.fileAttachment" }, name: str, contentType: str, contentBytes: str, isInline: bool, contentId: str, size: { type: "number" } },
};
/** graph/api/resources/message (the writable properties sendMail and a draft take) */
const message: Schema = {
  type: "object",
  properties: {
    subject: str,
    body: { type: "object", required: ["contentType", "content"], properties: { contentType: { enum: ["text", "html", "Text", "HTML"] }, content: str } },
    from: recipient,
    sender: recipient,
    toRecipients: recipients,
    ccRecipients: recipients,
    bccRecipients: recipients,
    replyTo: recipients,
    importance: { enum: ["low", "normal", "high"] },
    internetMessageHeaders: { type: "array", items: { type: "object", required: ["name", "value"], properties: { name: str, value: str } } },
    attachments: { type: "array", items: fileAttachment },
    isDeliveryReceiptRequested: bool,
    isReadReceiptRequested: bool,
  },
};
/** graph/api/user-sendmail: {message, saveToSentItems} */
const sendMailBody: Schema = { type: "object", required: ["message"], properties: { message, saveToSentItems: bool } };
/** graph/api/attachment-createuploadsession: {AttachmentItem: {attachmentType, name, size, …}} */
const uploadSessionBody: Schema = {
  type: "object",
  required: ["AttachmentItem"],
  properties: { AttachmentItem: { type: "object", required: ["attachmentType", "name", "size"], properties: { attachmentType: { const: "file" }, name: str, size: { type: "number" }, contentType: str, isInline: bool, contentId: str } } },
};
/** entra/identity-platform/v2-oauth2-client-creds-grant-flow (second case: access token request with a certificate) */
const tokenForm: Schema = {
  type: "object",
  required: ["client_id", "scope", "grant_type", "client_assertion_type", "client_assertion"],
  properties: { client_id: str, scope: str, grant_type: { const: "client_credentials" }, client_assertion_type: { const: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" }, client_assertion: str },
};
/** entra/identity-platform/certificate-credentials: the assertion's header and claims */
const jwtHeader: Schema = { type: "object", required: ["alg", "typ", "x5t"], properties: { alg: { const: "RS256" }, typ: { const: "JWT" }, x5t: str } };
const jwtClaims: Schema = { type: "object", required: ["aud", "iss", "sub", "jti", "nbf", "exp"], properties: { aud: str, iss: str, sub: str, jti: str, nbf: str, iat: str, exp: str } };

interface GraphEndpoint {
  op: string;
  method: string;
  base: string;
  path: string;
  auth: boolean;
  body: "json" | "form" | "empty" | "bytes" | "none";
  schema?: Schema;
  contentType?: string;
  headers?: string[];
}

const GRAPH_ENDPOINTS: GraphEndpoint[] = [
  { op: "token", method: "POST", base: "TokenUrl", path: "", auth: false, body: "form", schema: tokenForm, contentType: "application/x-www-form-urlencoded" },
  { op: "sendMail", method: "POST", base: "GraphUrl", path: "/v1.0/users/{}/sendMail", auth: true, body: "json", schema: sendMailBody, contentType: "application/json" },
  { op: "createDraft", method: "POST", base: "GraphUrl", path: "/v1.0/users/{}/messages", auth: true, body: "json", schema: message, contentType: "application/json" },
  { op: "addAttachment", method: "POST", base: "GraphUrl", path: "/v1.0/users/{}/messages/{}/attachments", auth: true, body: "json", schema: fileAttachment, contentType: "application/json" },
  { op: "createUploadSession", method: "POST", base: "GraphUrl", path: "/v1.0/users/{}/messages/{}/attachments/createUploadSession", auth: true, body: "json", schema: uploadSessionBody, contentType: "application/json" },
  // The upload URL is pre-authenticated: no Authorization (graph/outlook-large-attachments).
  { op: "uploadRange", method: "PUT", base: "session.uploadurl", path: "", auth: false, body: "bytes", headers: ["Content-Range"], contentType: "application/octet-stream" },
  { op: "send", method: "POST", base: "GraphUrl", path: "/v1.0/users/{}/messages/{}/send", auth: true, body: "empty" },
  { op: "deleteDraft", method: "DELETE", base: "GraphUrl", path: "/v1.0/users/{}/messages/{}", auth: true, body: "none" },
];

export function checkGraphModule(text: string): { errors: string[]; operations: string[] } {
  const errors: string[] = [];
  const operations: string[] = [];
  const resolve = (s: Schema) => s;
  for (const r of httpRequests(text)) {
    const at = `${r.where}: ${r.method} ${r.base}${r.url}`;
    const base = r.base.toLowerCase();
    const e = GRAPH_ENDPOINTS.find((x) => x.method === r.method && x.base.toLowerCase() === base && x.path === r.path);
    if (!e) {
      errors.push(`${at}: not a documented Graph or Entra ID request`);
      continue;
    }
    operations.push(e.op);
    const auth = r.headers.get("Authorization");
    if (e.auth && !(auth ?? []).some((s) => s.kind === "scalar" && /'Bearer '/.test(s.node.text))) errors.push(`${at}: no "Authorization: Bearer <token>"`);
    if (!e.auth && auth) errors.push(`${at}: must not send Authorization`);
    for (const h of e.headers ?? []) if (!r.headers.has(h)) errors.push(`${at}: no ${h} header`);
    if (e.contentType && mediaType(r.contentType) !== e.contentType) errors.push(`${at}: Content-Type ${r.contentType}, expected ${e.contentType}`);
    if (e.body === "json" || e.body === "form") {
      if (r.body?.kind !== e.body) errors.push(`${at}: the body is not ${e.body === "json" ? "JSON from ConvertTo-Json" : "a form hashtable"}`);
      else checkShape(r.body.shapes, e.schema!, resolve, `${at} body`, errors);
    }
    if (e.body === "empty" && r.body?.kind !== "empty") errors.push(`${at}: /send is documented with an empty body (Content-Length: 0)`);
    if (e.body === "none" && r.body) errors.push(`${at}: no body expected`);
  }
  // The client assertion's header and claims: the hashtables converted to JSON in Get-GraphMailToken.
  const tree = parsePs(text);
  const flow = new ModuleFlow(tree.rootNode);
  const jwt = commands(tree.rootNode, "ConvertTo-Json").filter((c) => c.fn && functionName(c.fn) === "Get-GraphMailToken");
  const byVariable = new Map(jwt.map((c) => [variableName(c.args.get("inputobject")!), flow.shapes(c.args.get("inputobject")!)]));
  if (!byVariable.has("header") || !byVariable.has("claims")) errors.push("Get-GraphMailToken: no JWT header and claims converted to JSON");
  else {
    checkShape(byVariable.get("header")!, jwtHeader, resolve, "client assertion header", errors);
    checkShape(byVariable.get("claims")!, jwtClaims, resolve, "client assertion claims", errors);
  }
  return { errors, operations };
}

// ---------------------------------------------------------------------------------------------------

describe("the module's requests against the REST API's OpenAPI document", () => {
  const text = psm1(opts("api"));

  it("every request is an operation of the document, with its bearer key, headers, content type and body", () => {
    const { errors, operations } = checkApiModule(text);
    expect(errors).toEqual([]);
    // Uploads, the message, and its status for -Wait: all three doors a script needs.
    expect([...new Set(operations)].sort()).toEqual(["getMessage", "sendMessage", "uploadAttachment"]);
  });

  it("the portal URL the requests start from is the configured one, without a trailing slash", () => {
    const tree = parsePs(text);
    const config = tree.rootNode.descendantsOfType("hash_entry").find((e) => e.namedChild(0)!.text === "PortalUrl")!;
    expect(literal(config.namedChildren.at(-1)!)).toBe("https://mail.example.com");
  });

  const mutants: [string, (t: string) => string, RegExp][] = [
    ["a misspelt property", (t) => t.replace("toRecipients = ConvertTo", "tooRecipients = ConvertTo"), /tooRecipients: not a property/],
    ["a misspelt nested property", (t) => t.replace("$email = @{ address = $one.Address }", "$email = @{ adress = $one.Address }"), /emailAddress\.adress: not a property/],
    ["no sender", (t) => t.replace("from         = $sender[0]", "sender       = $sender[0]"), /\.from: required|\.sender: not a property/],
    ["an importance Graph does not know", (t) => t.replace("return 'high'", "return 'urgent'"), /"urgent" is not one of/],
    ["no Idempotency-Key", (t) => t.replace("'Idempotency-Key' = [guid]::NewGuid().ToString()", "'X-Request' = [guid]::NewGuid().ToString()"), /Idempotency-Key|X-Request is not declared/],
    ["a wrong path", (t) => t.replace('"$portal/api/v1/messages"', '"$portal/api/v1/message"'), /no such path/],
    ["a wrong method", (t) => t.replace('Invoke-RestMethod -Method Get -Uri "$portal/api/v1/messages/', 'Invoke-RestMethod -Method Delete -Uri "$portal/api/v1/messages/'), /DELETE is not an operation/],
    ["no name on an upload", (t) => t.replace("/api/v1/uploads?name=", "/api/v1/uploads?file="), /query parameter name is missing/],
    ["a text body", (t) => t.replace("-ContentType 'application/json; charset=utf-8' -Body $payload", "-ContentType 'text/plain' -Body $payload"), /Content-Type text\/plain/],
    ["no key", (t) => t.replace("$auth = @{ Authorization = 'Bearer ' + $key }", "$auth = @{ 'X-Key' = $key }"), /no Authorization header/],
  ];
  for (const [name, mutate, finding] of mutants) {
    it(`refuses a module with ${name} (the check can fail)`, () => {
      const mutated = mutate(text);
      expect(mutated).not.toBe(text);
      expect(checkApiModule(mutated).errors.join("\n")).toMatch(finding);
    });
  }
});

describe("the module's requests against Microsoft Graph's and Entra ID's documented shapes", () => {
  const text = psm1(opts("graph"));

  it("every request is a documented one: token, sendMail, draft, attachment, upload session, range, send", () => {
    const { errors, operations } = checkGraphModule(text);
    expect(errors).toEqual([]);
    expect([...new Set(operations)].sort()).toEqual(GRAPH_ENDPOINTS.map((e) => e.op).sort());
  });

  it("the token URL, client id and scope are the tenant's", () => {
    const tree = parsePs(text);
    const value = (k: string) => literal(tree.rootNode.descendantsOfType("hash_entry").find((e) => e.namedChild(0)!.text === k)!.namedChildren.at(-1)!);
    expect(value("TokenUrl")).toBe("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    expect(value("ClientId")).toBe(TENANT.clientId);
    expect(value("GraphScope")).toBe("https://graph.microsoft.com/.default");
    expect(value("GraphUrl")).toBe("https://graph.microsoft.com");
  });

  it("attachments of 3 MB and more go through an upload session, in ranges that are multiples of 320 KiB under 4 MB", () => {
    // learn.microsoft.com/graph/outlook-large-attachments: "If the file size is under 3 MB, do a single POST …;
    // if the file size is between 3 MB and 150 MB, create an upload session"; each range a multiple of 320 KiB.
    const root = parsePs(text).rootNode;
    const assigned = (name: string) =>
      Number(root.descendantsOfType("assignment_expression").find((a) => unwrap(a.namedChild(0)!).text === `$script:${name}`)!.namedChildren.at(-1)!.text);
    const limit = assigned("GraphMailRequestLimit");
    const chunk = assigned("GraphMailChunkBytes");
    expect(limit).toBe(4_000_000);
    expect(chunk % (320 * 1024)).toBe(0);
    expect(chunk).toBeLessThan(4_000_000);
    // The decision, as Send-GraphMailViaGraph writes it: posted when the base64 plus the JSON around it fits.
    const fn = root.descendantsOfType("function_statement").find((f) => functionName(f) === "Send-GraphMailViaGraph")!;
    const decision = /if \(\$attachment\.contentBytes\.Length \+ (\d+) -lt \$script:GraphMailRequestLimit\) \{ \$posted \+= \$attachment \} else \{ \$large \+= \$file \}/.exec(fn.text);
    expect(decision).not.toBeNull();
    const uploaded = (bytes: number) => !(4 * Math.ceil(bytes / 3) + Number(decision![1]) < limit);
    for (const bytes of [3_000_000, 3 * 1024 * 1024, 20_000_000, 150 * 1024 * 1024]) expect(uploaded(bytes), `${bytes} bytes`).toBe(true);
    for (const bytes of [0, 1_000_000, 2_900_000]) expect(uploaded(bytes), `${bytes} bytes`).toBe(false);
    // A file that goes to $large is what Send-GraphMailUpload streams: createUploadSession, then PUT ranges.
    expect(fn.text).toMatch(/foreach \(\$file in \$large\) \{\s+Send-GraphMailUpload -File \$file/);
  });

  const mutants: [string, (t: string) => string, RegExp][] = [
    ["no client_assertion_type", (t) => t.replace("client_assertion_type = 'urn", "assertion_type        = 'urn"), /client_assertion_type: required/],
    ["a wrong grant type", (t) => t.replace("grant_type            = 'client_credentials'", "grant_type            = 'password'"), /must be "client_credentials"/],
    ["sendMail without the message wrapper", (t) => t.replace("$request = @{ message = $Message; saveToSentItems = $true }", "$request = @{ msg = $Message; saveToSentItems = $true }"), /msg: not a property/],
    ["an AttachmentItem without its size", (t) => t.replace("name = $File.Name; size = [long]$File.Size;", "name = $File.Name;"), /AttachmentItem\.size: required/],
    ["Authorization sent to the upload URL", (t) => t.replace("$range = @{ 'Content-Range' =", "$range = @{ Authorization = 'Bearer ' + $token; 'Content-Range' ="), /must not send Authorization/],
    ["no Content-Range", (t) => t.replace("$range = @{ 'Content-Range' =", "$range = @{ 'X-Range' ="), /no Content-Range header/],
    ["a wrong Graph path", (t) => t.replace("/attachments/createUploadSession", "/attachments/createSession"), /not a documented Graph/],
    ["a misspelt fileAttachment type", (t) => t.split("'#microsoft.graph.fileAttachment'").join("'#microsoft.graph.file'"), /must be "#microsoft.graph.fileAttachment"/],
    ["an assertion without x5t", (t) => t.replace("x5t = (ConvertTo-GraphMailBase64Url", "kid = (ConvertTo-GraphMailBase64Url"), /x5t: required/],
  ];
  for (const [name, mutate, finding] of mutants) {
    it(`refuses a module with ${name} (the check can fail)`, () => {
      const mutated = mutate(text);
      expect(mutated).not.toBe(text);
      expect(checkGraphModule(mutated).errors.join("\n")).toMatch(finding);
    });
  }
});
