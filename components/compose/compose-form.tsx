"use client";
import { startTransition, useActionState, useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { srcDoc } from "@/components/message-frame-doc";
import { idle, type ActionState } from "@/lib/action-state";
import { formatAddress, INLINE_TOTAL_LIMIT, MAX_HEADERS, type Address } from "@/lib/schemas/compose";
import type { ComposeTenant } from "@/lib/sends/compose-options";
import { estimateEncodedSize, overLimitMessage } from "@/lib/sends/encoded-size";
import { sendAction } from "@/app/(portal)/compose/actions";
import { AddressChips } from "./address-chips";
import { Attachments, formatBytes, type AttachmentItem } from "./attachments";
import { BodyEditor } from "./body-editor";
import { SendStatus } from "./send-status";

const select = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900";

/**
 * The compose form. Every field lives in React state and the action is started by hand (not by
 * <form action>), so a refused send keeps everything typed; errors come back per field.
 */
export function ComposeForm({ tenants }: { tenants: ComposeTenant[] }) {
  const [state, formAction, pending] = useActionState<ActionState<{ sendId: string }>, FormData>(sendAction, idle);
  const [tenantId, setTenantId] = useState(tenants[0]!.id);
  const tenant = tenants.find((t) => t.id === tenantId) ?? tenants[0]!;
  const canApp = tenant.senders.length > 0;
  const [mode, setMode] = useState<"app" | "delegated">(canApp ? "app" : "delegated");
  const [from, setFrom] = useState(tenant.senders[0]?.address ?? tenant.delegated?.address ?? "");
  const [to, setTo] = useState<Address[]>([]);
  const [cc, setCc] = useState<Address[]>([]);
  const [bcc, setBcc] = useState<Address[]>([]);
  const [replyTo, setReplyTo] = useState<Address[]>([]);
  const [subject, setSubject] = useState("");
  const [bodyType, setBodyType] = useState<"html" | "text">("html");
  const [html, setHtml] = useState("");
  const [text, setText] = useState("");
  const [preview, setPreview] = useState(false);
  const [importance, setImportance] = useState("normal");
  const [saveToSent, setSaveToSent] = useState(true);
  const [headers, setHeaders] = useState<{ name: string; value: string }[]>([]);
  const [files, setFiles] = useState<AttachmentItem[]>([]);
  const [sendId, setSendId] = useState<string | null>(null);
  const errors = state.status === "error" ? (state.fields ?? {}) : {};

  useEffect(() => {
    if (state.status === "ok" && state.data?.sendId) setSendId(state.data.sendId);
  }, [state]);

  function chooseTenant(id: string) {
    const t = tenants.find((x) => x.id === id)!;
    setTenantId(id);
    const m = t.senders.length ? "app" : "delegated";
    setMode(m);
    setFrom(m === "app" ? t.senders[0]!.address : (t.delegated?.address ?? ""));
  }

  function chooseMode(m: "app" | "delegated") {
    setMode(m);
    setFrom(m === "app" ? (tenant.senders[0]?.address ?? "") : (tenant.delegated?.address ?? ""));
  }

  const uploading = files.some((f) => !f.id && !f.error);
  const total = files.reduce((n, f) => n + (f.error ? 0 : f.size), 0);
  // Attachments this large go through a draft and an upload session, and a draft is sent with
  // POST …/messages/{id}/send, which always saves to Sent Items: it has no saveToSentItems parameter
  // (https://learn.microsoft.com/graph/api/message-send). The choice cannot be honoured, so it is not offered.
  const viaUploadSession = total >= INLINE_TOTAL_LIMIT;
  const warnings: string[] = [];
  if (total >= INLINE_TOTAL_LIMIT && tenant.largeFilesAllowed === false && mode === "app") {
    warnings.push(`Attachments total ${formatBytes(total)}: files of 3 MB and more need an upload session, which needs the Mail.ReadWrite application permission, and this tenant's app does not have it. Grant it in Setup, or send smaller files.`);
  }
  // The same estimate queue-send and the outbox refuse on (lib/sends/encoded-size.ts): Exchange counts the encoded message.
  const estimate = estimateEncodedSize({
    subject, body: bodyType === "html" ? html : text, headers,
    addresses: [...to, ...cc, ...bcc, ...replyTo].map((a) => a.address),
    attachments: files.filter((f) => !f.error).map((f) => ({ name: f.name, size: f.size })),
  });
  if (total > 0 && estimate > tenant.mailboxLimitBytes) {
    warnings.push(
      `${overLimitMessage(estimate, tenant.mailboxLimitBytes, total)} (The limit is this tenant's setting: Microsoft Graph does not tell the portal a mailbox's own MaxSendSize, so an admin enters it under Settings → Message size; 35 MB unless changed.)`,
    );
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const fd = new FormData();
    const list = (a: Address[]) => a.map(formatAddress).join("\n");
    Object.entries({
      tenantId, mode, from, to: list(to), cc: list(cc), bcc: list(bcc), replyTo: list(replyTo), subject, bodyType,
      body: bodyType === "html" ? html : text, importance, saveToSent: String(viaUploadSession || saveToSent),
      headers: JSON.stringify(headers.filter((h) => h.name || h.value)),
      attachments: JSON.stringify(files.filter((f) => f.id).map((f) => ({ id: f.id }))),
    }).forEach(([k, v]) => fd.set(k, v));
    setSendId(null);
    startTransition(() => formAction(fd));
  }

  return (
    <div className="space-y-6">
      <form onSubmit={submit} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900" aria-label="Compose">
        {tenants.length > 1 ? (
          <div className="space-y-1">
            <label htmlFor="compose-tenant" className="block text-sm font-medium">Tenant</label>
            <select id="compose-tenant" className={select} value={tenantId} onChange={(e) => chooseTenant(e.target.value)}>
              {tenants.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
            </select>
          </div>
        ) : null}
        {canApp && tenant.delegated ? (
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium">Send</legend>
            <label className="mr-4 text-sm"><input type="radio" name="mode" checked={mode === "app"} onChange={() => chooseMode("app")} /> As a mailbox (application)</label>
            <label className="text-sm"><input type="radio" name="mode" checked={mode === "delegated"} onChange={() => chooseMode("delegated")} /> As myself (delegated)</label>
            {errors.mode ? <p role="alert" className="text-sm text-red-600">{errors.mode}</p> : null}
          </fieldset>
        ) : errors.mode ? <p role="alert" className="text-sm text-red-600">{errors.mode}</p> : null}
        {mode === "delegated" && tenant.delegated && !tenant.delegated.granted ? (
          <p role="alert" className="text-sm text-amber-700">The portal holds no Microsoft sign-in for you that allows sending. Sign out and sign in with Microsoft again.</p>
        ) : null}
        <div className="space-y-1">
          <label htmlFor="compose-from" className="block text-sm font-medium">From</label>
          <select id="compose-from" className={select} value={from} onChange={(e) => setFrom(e.target.value)} aria-invalid={errors.from ? true : undefined} aria-describedby={errors.from ? "compose-from-error" : undefined}>
            {mode === "app"
              ? tenant.senders.map((s) => <option key={s.address} value={s.address}>{s.displayName ? `${s.displayName} <${s.address}>` : s.address}{s.kind === "shared" ? " (shared mailbox)" : ""}</option>)
              : tenant.delegated ? <option value={tenant.delegated.address}>{tenant.delegated.address} (you)</option> : null}
          </select>
          {errors.from ? <p id="compose-from-error" role="alert" className="text-sm text-red-600">{errors.from}</p> : null}
        </div>
        <AddressChips id="compose-to" label="To" value={to} onChange={setTo} error={errors.to} hint="Paste a list: commas, semicolons, new lines and Name <address> all work." />
        <AddressChips id="compose-cc" label="Cc" value={cc} onChange={setCc} error={errors.cc} />
        <AddressChips id="compose-bcc" label="Bcc" value={bcc} onChange={setBcc} error={errors.bcc} />
        <AddressChips id="compose-reply-to" label="Reply-To" value={replyTo} onChange={setReplyTo} error={errors.replyTo} />
        <Field name="subject" id="compose-subject" label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={errors.subject} maxLength={255} />
        <fieldset className="space-y-2">
          <legend id="compose-body-label" className="text-sm font-medium">Message body</legend>
          <div className="flex flex-wrap gap-4 text-sm">
            <label><input type="radio" name="bodyType" checked={bodyType === "html"} onChange={() => setBodyType("html")} /> Rich text (HTML)</label>
            <label><input type="radio" name="bodyType" checked={bodyType === "text"} onChange={() => setBodyType("text")} /> Plain text</label>
            {bodyType === "html" ? <button type="button" className="text-brand-600 underline" aria-pressed={preview} onClick={() => setPreview(!preview)}>{preview ? "Hide preview" : "Preview"}</button> : null}
          </div>
          {bodyType === "html" ? <BodyEditor value={html} onChange={setHtml} labelledBy="compose-body-label" /> : (
            <textarea aria-labelledby="compose-body-label" className={`${select} min-h-40`} value={text} onChange={(e) => setText(e.target.value)} />
          )}
          {/* Stored or typed HTML is only ever rendered in a sandboxed iframe: no script runs in the portal's origin. */}
          {bodyType === "html" && preview ? <iframe title="Preview of the message body" sandbox="" srcDoc={srcDoc(html)} referrerPolicy="no-referrer" className="h-48 w-full rounded-md border border-slate-300 bg-white" /> : null}
          {errors.body ? <p role="alert" className="text-sm text-red-600">{errors.body}</p> : null}
        </fieldset>
        <div className="flex flex-wrap items-end gap-6">
          <div className="space-y-1">
            <label htmlFor="compose-importance" className="block text-sm font-medium">Importance</label>
            <select id="compose-importance" className={select} value={importance} onChange={(e) => setImportance(e.target.value)}>
              <option value="low">Low</option>
              <option value="normal">Normal</option>
              <option value="high">High</option>
            </select>
          </div>
          <div className="text-sm">
            <label>
              <input type="checkbox" checked={viaUploadSession || saveToSent} disabled={viaUploadSession} aria-describedby={viaUploadSession ? "compose-sent-items-note" : undefined} onChange={(e) => setSaveToSent(e.target.checked)} /> Save to Sent Items
            </label>
            {viaUploadSession ? (
              <p id="compose-sent-items-note" className="mt-1 max-w-sm text-xs text-slate-600 dark:text-slate-400">
                Cannot be turned off for this message: attachments of 3 MB and more go through a draft and an upload session, and Microsoft Graph always saves a sent draft to Sent Items.
              </p>
            ) : null}
          </div>
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Custom headers (up to {MAX_HEADERS}, names start with X-)</legend>
          {headers.map((h, i) => (
            <div key={i} className="flex flex-wrap items-start gap-2">
              <Field name={`headers.${i}.name`} id={`compose-header-${i}-name`} label={`Header ${i + 1} name`} value={h.name} placeholder="X-Campaign" error={errors[`headers.${i}.name`]} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
              <Field name={`headers.${i}.value`} id={`compose-header-${i}-value`} label={`Header ${i + 1} value`} value={h.value} error={errors[`headers.${i}.value`]} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
              <Button variant="ghost" className="mt-6" onClick={() => setHeaders(headers.filter((_, j) => j !== i))} aria-label={`Remove header ${i + 1}`}>Remove</Button>
            </div>
          ))}
          {errors.headers ? <p role="alert" className="text-sm text-red-600">{errors.headers}</p> : null}
          {headers.length < MAX_HEADERS ? <Button variant="secondary" onClick={() => setHeaders([...headers, { name: "", value: "" }])}>Add header</Button> : null}
        </fieldset>
        <Attachments items={files} setItems={setFiles} error={errors.attachments} />
        {warnings.map((w) => <p key={w} role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">{w}</p>)}
        <FormMessage state={state} />
        <Button type="submit" disabled={pending || uploading}>{uploading ? "Waiting for uploads…" : pending ? "Queuing…" : "Send"}</Button>
      </form>
      {sendId ? <SendStatus key={sendId} sendId={sendId} /> : null}
    </div>
  );
}
