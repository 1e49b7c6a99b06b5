"use client";
import { useRef, useState, type DragEvent } from "react";
import { MAX_ATTACHMENT_BYTES } from "@/lib/schemas/addresses";
import { LazyUploadProgress as UploadProgress } from "./upload-progress-lazy";

/**
 * Attachments by picker or drag-and-drop. Each file is streamed to the portal (POST /api/uploads) with
 * XMLHttpRequest, whose upload progress events drive a progress bar per file.
 */
export interface AttachmentItem {
  key: string;
  name: string;
  size: number;
  progress: number;
  id?: string;
  error?: string;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

function upload(file: File, onProgress: (p: number) => void): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/uploads?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText) as { id?: string; error?: { message?: string } };
        } catch {
          return {};
        }
      })();
      if (xhr.status === 201 && body.id) resolve({ id: body.id });
      else reject(new Error(body.error?.message ?? `Upload failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => reject(new Error("The upload was interrupted. Check the connection and attach the file again."));
    xhr.send(file);
  });
}

export function Attachments({ items, setItems, error }: { items: AttachmentItem[]; setItems: (f: (prev: AttachmentItem[]) => AttachmentItem[]) => void; error?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  function add(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
      const patch = (p: Partial<AttachmentItem>) => setItems((prev) => prev.map((x) => (x.key === key ? { ...x, ...p } : x)));
      if (file.size > MAX_ATTACHMENT_BYTES) {
        setItems((prev) => [...prev, { key, name: file.name, size: file.size, progress: 0, error: "Larger than 150 MB, Graph's limit per attachment." }]);
        continue;
      }
      setItems((prev) => [...prev, { key, name: file.name, size: file.size, progress: 0 }]);
      upload(file, (progress) => patch({ progress }))
        .then(({ id }) => patch({ id, progress: 1 }))
        .catch((err: Error) => patch({ error: err.message }));
    }
  }

  function remove(item: AttachmentItem) {
    setItems((prev) => prev.filter((x) => x.key !== item.key));
    if (item.id) void fetch(`/api/uploads/${item.id}`, { method: "DELETE" });
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  }

  return (
    <div className="space-y-2">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`rounded-md border-2 border-dashed px-4 py-4 text-center text-sm ${over ? "border-brand-600 bg-brand-600/5" : "border-slate-300 dark:border-slate-700"}`}
      >
        <label htmlFor="attachments-input" className="cursor-pointer font-medium text-brand-600 underline">
          Attach files
        </label>{" "}
        or drop them here (up to 150 MB each).
        <input id="attachments-input" ref={input} type="file" multiple className="sr-only" aria-describedby={error ? "attachments-error" : undefined} onChange={(e) => {
          add(e.target.files);
          e.target.value = "";
        }} />
      </div>
      {error ? (
        <p id="attachments-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <ul className="space-y-2" aria-label="Attachments">
        {items.map((a) => (
          <li key={a.key} className="flex flex-wrap items-center gap-3 text-sm">
            <span className="font-medium">{a.name}</span>
            <span className="text-slate-600 dark:text-slate-400">{formatBytes(a.size)}</span>
            {a.error ? (
              <span role="alert" className="text-red-600 dark:text-red-400">{a.error}</span>
            ) : (
              <>
                <UploadProgress label={`Upload of ${a.name}`} fraction={a.id ? 1 : a.progress} detail={a.id ? "Uploaded to the portal" : `Uploading ${Math.round(a.progress * 100)}%`} />
              </>
            )}
            <button type="button" className="text-xs text-slate-600 underline hover:text-red-600 dark:text-slate-300" onClick={() => remove(a)} aria-label={`Remove attachment ${a.name}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
