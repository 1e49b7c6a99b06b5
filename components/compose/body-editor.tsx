"use client";
import { useEffect } from "react";
import { EditorContent, useEditor, useEditorState, type Editor } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import { FormattingToolbar } from "./formatting-toolbar";

/**
 * The rich HTML body (TipTap). The HTML is sent as typed; the portal previews it only sandboxed.
 * Loaded on demand by BodyField (body-field.tsx): TipTap and ProseMirror are most of Compose's JavaScript.
 * `onReady` runs once the editor is mounted and editable, so the plain textarea can hand over to it.
 */
export function BodyEditor({ value, onChange, labelledBy, hidden, disabled, onReady }: { value: string; onChange: (html: string) => void; labelledBy: string; hidden?: boolean; disabled?: boolean; onReady?: (editor: Editor) => void }) {
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content: value,
    immediatelyRender: false,
    editorProps: {
      attributes: { role: "textbox", "aria-multiline": "true", "aria-labelledby": labelledBy, class: "prose-sm min-h-40 px-3 py-2 outline-none dark:prose-invert" },
    },
    onUpdate: ({ editor: e }) => onChange(e.getHTML()),
    onCreate: ({ editor: e }) => onReady?.(e),
  });
  // A queued message is locked: the editor follows the form's disabled fieldset, which does not reach contenteditable.
  useEffect(() => {
    editor?.setEditable(!disabled, false);
  }, [editor, disabled]);
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
  return (
    <div hidden={hidden} className="rounded-md border border-slate-300 bg-white focus-within:ring-2 focus-within:ring-brand-600 dark:border-slate-700 dark:bg-slate-900">
      <FormattingToolbar
        tools={[
          ["Bold", disabled ? null : () => editor?.chain().focus().toggleBold().run(), !!active?.bold],
          ["Italic", disabled ? null : () => editor?.chain().focus().toggleItalic().run(), !!active?.italic],
          ["Bulleted list", disabled ? null : () => editor?.chain().focus().toggleBulletList().run(), !!active?.bulletList],
          ["Numbered list", disabled ? null : () => editor?.chain().focus().toggleOrderedList().run(), !!active?.orderedList],
        ]}
      />
      <EditorContent editor={editor} />
    </div>
  );
}
