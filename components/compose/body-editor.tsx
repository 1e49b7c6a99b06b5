"use client";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";

/** The rich HTML body (TipTap). The HTML is sent as typed; the portal previews it only sandboxed. */
export function BodyEditor({ value, onChange, labelledBy }: { value: string; onChange: (html: string) => void; labelledBy: string }) {
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content: value,
    immediatelyRender: false,
    editorProps: {
      attributes: { role: "textbox", "aria-multiline": "true", "aria-labelledby": labelledBy, class: "prose-sm min-h-40 px-3 py-2 outline-none dark:prose-invert" },
    },
    onUpdate: ({ editor: e }) => onChange(e.getHTML()),
  });
  // The toolbar's pressed states follow every transaction (a mark toggled on an empty selection changes no
  // text, so without this the buttons would not say what the next typed letter becomes).
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: !!e?.isActive("bold"),
      italic: !!e?.isActive("italic"),
      bulletList: !!e?.isActive("bulletList"),
      orderedList: !!e?.isActive("orderedList"),
    }),
  });
  const tool = (label: string, run: () => void, active: boolean) => (
    <button type="button" aria-pressed={active} onClick={run} className={`rounded px-2 py-1 text-sm ${active ? "bg-slate-200 dark:bg-slate-700" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
      {label}
    </button>
  );
  return (
    <div className="rounded-md border border-slate-300 bg-white focus-within:ring-2 focus-within:ring-brand-600 dark:border-slate-700 dark:bg-slate-900">
      <div role="toolbar" aria-label="Formatting" className="flex gap-1 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
        {tool("Bold", () => editor?.chain().focus().toggleBold().run(), !!active?.bold)}
        {tool("Italic", () => editor?.chain().focus().toggleItalic().run(), !!active?.italic)}
        {tool("Bulleted list", () => editor?.chain().focus().toggleBulletList().run(), !!active?.bulletList)}
        {tool("Numbered list", () => editor?.chain().focus().toggleOrderedList().run(), !!active?.orderedList)}
      </div>
      <EditorContent editor={editor} />
    </div>
  );
}
