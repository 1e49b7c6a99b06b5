"use client";
import dynamic from "next/dynamic";

/**
 * UploadProgress (Radix Progress) fetched when the first upload starts, not on Compose's first load, which
 * has a budget of 180 KB gzip (issue 15, npm run bench:startup). Until it arrives the words stand in.
 */
export const LazyUploadProgress = dynamic(() => import("./upload-progress").then((m) => m.UploadProgress), {
  ssr: false,
  loading: () => <span className="text-xs text-slate-600 dark:text-slate-300">Uploading…</span>,
});
