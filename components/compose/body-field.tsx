"use client";
import { lazy, Suspense, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { Editor } from "@tiptap/react";
import { FormattingToolbar } from "./formatting-toolbar";

/**
 * The HTML body as the page first shows it: a plain textarea, usable at once, that the rich-text editor
 * takes over when its code has arrived. TipTap and ProseMirror are over half of Compose's JavaScript
 * (issue 15: 323 KB gzip with them in the first load), so they are fetched only when the person starts
 * on the form (`load`), not before the page is interactive. The hand-over keeps what was typed and the
 * focus: the editor starts from the textarea's text, then replaces it in one synchronous step.
 */
let editorLoaded = false;
const loadEditor = () =>
  import("./body-editor").then((m) => {
    editorLoaded = true;
    return m;
  });
const BodyEditor = lazy(() => loadEditor().then((m) => ({ default: m.BodyEditor })));

const DISABLED_TOOLS: [string, null, boolean][] = ["Bold", "Italic", "Bulleted list", "Numbered list"].map((l) => [l, null, false]);

/** Plain text as HTML paragraphs, escaped: what the editor would have produced for the same typing. */
export function textToHtml(text: string): string {
  if (!text) return "";
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return text.split(/\r?\n/).map((line) => `<p>${esc(line)}</p>`).join("");
}

export function BodyField({ value, onChange, labelledBy, load, disabled }: { value: string; onChange: (html: string) => void; labelledBy: string; load: boolean; disabled?: boolean }) {
  const [ready, setReady] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  // What the editor was created with, to know whether the textarea changed while the editor mounted.
  const [initial] = useState(value);

  function handOver(editor: Editor) {
    const typed = textarea.current?.value ?? "";
    const focused = !!textarea.current && document.activeElement === textarea.current;
    if (textToHtml(typed) !== initial) editor.commands.setContent(textToHtml(typed), { emitUpdate: true });
    flushSync(() => setReady(true));
    if (focused) editor.commands.focus("end");
  }

  return (
    <>
      {ready ? null : (
        <div className="rounded-md border border-slate-300 bg-white focus-within:ring-2 focus-within:ring-brand-600 dark:border-slate-700 dark:bg-slate-900">
          <FormattingToolbar tools={DISABLED_TOOLS} />
          <textarea
            ref={textarea}
            aria-labelledby={labelledBy}
            onChange={(e) => onChange(textToHtml(e.target.value))}
            className="block min-h-40 w-full resize-y bg-transparent px-3 py-2 text-sm outline-none"
          />
        </div>
      )}
      {load || ready || editorLoaded ? (
        <Suspense fallback={null}>
          <BodyEditor value={initial} onChange={onChange} labelledBy={labelledBy} hidden={!ready} disabled={disabled} onReady={handOver} />
        </Suspense>
      ) : null}
    </>
  );
}
