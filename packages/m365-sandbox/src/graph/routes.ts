/** The Graph host's routes and the upload host's routes (sandbox/src/server.ts mounts them). */
import type { SandboxContext } from "../context";
import type { Router } from "../http";
import { registerAttachmentRoutes } from "./attachment-routes";
import { registerDirectoryRoutes } from "./directory-routes";
import { registerMailRoutes } from "./mail-routes";
import { registerTraceRoutes } from "./trace-routes";

export { registerUploadRoutes } from "./upload-routes";

export function registerGraphRoutes(router: Router, ctx: SandboxContext): void {
  // Attachment routes first: "/messages/:id/attachments/createUploadSession" must not be taken for a message id.
  registerAttachmentRoutes(router, ctx);
  registerMailRoutes(router, ctx);
  registerDirectoryRoutes(router, ctx);
  registerTraceRoutes(router, ctx);
}
