/**
 * In-process progress of the Graph stage of a send (bytes uploaded to an upload session), for the
 * status route. Only the instance that runs the send knows it; other instances show the status alone.
 */
export interface SendProgress {
  phase: string;
  uploadedBytes: number;
  totalBytes: number;
}

const g = globalThis as unknown as { __gmpSendProgress?: Map<string, SendProgress> };

export function progressMap(): Map<string, SendProgress> {
  g.__gmpSendProgress ??= new Map();
  return g.__gmpSendProgress;
}
