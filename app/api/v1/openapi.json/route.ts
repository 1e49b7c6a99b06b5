import { env } from "@/lib/env";
import { openApiDocument } from "@/lib/api-v1/openapi";

// The OpenAPI 3.1 document, generated from the handlers' zod schemas. Public: it holds no data.
export function GET(): Response {
  return Response.json(openApiDocument(new URL(env().PORTAL_URL).origin), { headers: { "cache-control": "public, max-age=300" } });
}
