"use client";
import { startTransition, useActionState, useEffect, useRef, useState, type FormEvent } from "react";
import * as Collapsible from "@radix-ui/react-collapsible";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { srcDoc } from "@/components/message-frame-doc";
import { idle, type ActionState } from "@/lib/action-state";
import { formatAddress, INLINE_TOTAL_LIMIT, MAX_HEADERS, type Address } from "@/lib/schemas/addresses";
import type { ComposeTenant } from "@/lib/sends/compose-options";
import { estimateEncodedSize, overLimitMessage } from "@/lib/sends/encoded-size";
import { sendAction } from "@/app/(portal)/compose/actions";
import { AddressChips } from "./address-chips";
import { Attachments, formatBytes, type AttachmentItem } from "./attachments";
import { BodyField } from "./body-field";
import { SendStatus, type SendOutcome } from "./send-status";

const select = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900";

export interface Sender {
  tenantId: string;
  mode: "app" | "delegated";
  from: string;
}

/**
 * The compose page's form. "Send another" starts a fresh, empty message (a new ComposeMessage) from the
 * same sender, so nothing of the message just sent can be sent twice by accident.
 */
export function ComposeForm({ tenants, start = null }: { tenants: ComposeTenant[]; start?: Sender | null }) {
  const [round, setRound] = useState(0);
  const [sender, setSender] = useState<Sender | null>(start);
  return (
    <ComposeMessage
      key={round}
      tenants={tenants}
      initialSender={sender}
      focusFirst={round > 0}
      onSendAnother={(s) => {
        setSender(s);
        setRound((r) => r + 1);
      }}
    />
  );
}

/**
 * One message. Every field lives in React state and the action is started by hand (not by
 * <form action>), so a refused send keeps everything typed; errors come back per field. Once queued the
 * message is locked (read-only) and its status shows under the Send button.
 */
function ComposeMessage({ tenants, initialSender, focusFirst, onSendAnother }: { tenants: ComposeTenant[]; initialSender: Sender | null; focusFirst: boolean; onSendAnother: (s: Sender) => void }) {
  const [state, formAction, pending] = useActionState<ActionState<{ sendId: string }>, FormData>(sendAction, idle);
  const start = initialSender && tenants.some((t) => t.id === initialSender.tenantId) ? initialSender : null;
  const [tenantId, setTenantId] = useState(start?.tenantId ?? tenants[0]!.id);
  const tenant = tenants.find((t) => t.id === tenantId) ?? tenants[0]!;
  const canApp = tenant.senders.length > 0;
  const [mode, setMode] = useState<"app" | "delegated">(start?.mode ?? (canApp ? "app" : "delegated"));
  const [from, setFrom] = useState(start?.from ?? tenant.senders[0]?.address ?? tenant.delegated?.address ?? "");
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
  const [outcome, setOutcome] = useState<SendOutcome | null>(null);
  const [moreOpen, setMoreOpen] = useState(false);
  // The rich-text editor's code is fetched once the person starts on the form (body-field.tsx).
  const [loadEditor, setLoadEditor] = useState(false);
  // A second click (or Enter) before the first has been answered is ignored: one message, one send.
  const inFlight = useRef(false);
  const firstField = useRef<HTMLDivElement>(null);
  const errors = state.status === "error" ? (state.fields ?? {}) : {};

  useEffect(() => {
    if (state.status === "ok" && state.data?.sendId) setSendId(state.data.sendId);
    if (state.status === "error") inFlight.current = false;
  }, [state]);

  useEffect(() => {
    if (focusFirst) firstField.current?.querySelector<HTMLElement>("input, select")?.focus();
  }, [focusFirst]);

  const locked = sendId !== null || pending;
  const finalFailure = outcome === "failed" || outcome === "uncertain";

  // Cc, Bcc, Reply-To, importance and headers are folded away until used; one with a value (or an error) keeps them open.
  const advancedInUse = cc.length > 0 || bcc.length > 0 || replyTo.length > 0 || importance !== "normal" || headers.length > 0 || ["cc", "bcc", "replyTo", "headers"].some((k) => errors[k]) || Object.keys(errors).some((k) => k.startsWith("headers."));
  const open = moreOpen || advancedInUse;

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
    if (inFlight.current || locked || uploading) return;
    inFlight.current = true;
    const fd = new FormData();
    const list = (a: Address[]) => a.map(formatAddress).join("\n");
    Object.entries({
      tenantId, mode, from, to: list(to), cc: list(cc), bcc: list(bcc), replyTo: list(replyTo), subject, bodyType,
      body: bodyType === "html" ? html : text, importance, saveToSent: String(viaUploadSession || saveToSent),
      headers: JSON.stringify(headers.filter((h) => h.name || h.value)),
      attachments: JSON.stringify(files.filter((f) => f.id).map((f) => ({ id: f.id }))),
    }).forEach(([k, v]) => fd.set(k, v));
    startTransition(() => formAction(fd));
  }

  /** After a failure the same message can be corrected and sent again (as a new send). */
  function editAgain() {
    setSendId(null);
    setOutcome(null);
    inFlight.current = false;
  }

  const errorMessage = state.status === "error" && !sendId ? state.message : null;
  return (
    <div className="space-y-4">
      <form onSubmit={submit} onFocus={() => setLoadEditor(true)} onPointerDown={() => setLoadEditor(true)} noValidate className="rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900" aria-label="Compose" aria-describedby={sendId ? "compose-locked-note" : undefined}>
        <fieldset disabled={locked} className="min-w-0 space-y-4">
          <legend className="sr-only">Message</legend>
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
              {errors.mode ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{errors.mode}</p> : null}
            </fieldset>
          ) : errors.mode ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{errors.mode}</p> : null}
          {mode === "delegated" && tenant.delegated && !tenant.delegated.granted ? (
            <p role="alert" className="text-sm text-amber-700 dark:text-amber-300">The portal holds no Microsoft sign-in for you that allows sending. Sign out and sign in with Microsoft again.</p>
          ) : null}
          <div className="space-y-1">
            <label htmlFor="compose-from" className="block text-sm font-medium">From</label>
            <select id="compose-from" className={select} value={from} onChange={(e) => setFrom(e.target.value)} aria-invalid={errors.from ? true : undefined} aria-describedby={errors.from ? "compose-from-error" : undefined}>
              {mode === "app"
                ? tenant.senders.map((s) => <option key={s.address} value={s.address}>{s.displayName ? `${s.displayName} <${s.address}>` : s.address}{s.kind === "shared" ? " (shared mailbox)" : ""}</option>)
                : tenant.delegated ? <option value={tenant.delegated.address}>{tenant.delegated.address} (you)</option> : null}
            </select>
            {errors.from ? <p id="compose-from-error" role="alert" className="text-sm text-red-600 dark:text-red-400">{errors.from}</p> : null}
          </div>
          <div ref={firstField}>
            <AddressChips id="compose-to" label="To" value={to} onChange={setTo} error={errors.to} hint="Paste a list: commas, semicolons, new lines and Name <address> all work." />
          </div>
          <Collapsible.Root open={open} onOpenChange={(o) => setMoreOpen(o)}>
            <Collapsible.Trigger asChild>
              <button type="button" aria-describedby="compose-more-hint" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline disabled:text-slate-500 dark:text-brand-500" onClick={(e) => {
                // A folded field with a value would hide what is about to be sent: it stays open until emptied.
                if (advancedInUse && open) e.preventDefault();
              }}>
                <span aria-hidden="true">{open ? "▾" : "▸"} </span>More options
              </button>
            </Collapsible.Trigger>
            <span id="compose-more-hint" className="ml-2 text-xs text-slate-600 dark:text-slate-400">
              {advancedInUse && open ? "Cc, Bcc, Reply-To, importance, custom headers: open while one of them is in use" : "Cc, Bcc, Reply-To, importance, custom headers"}
            </span>
            {/* forceMount keeps typed text in a folded field; Radix then leaves it unhidden, so `hidden` says it. */}
            <Collapsible.Content forceMount hidden={!open} className="mt-3 space-y-4 border-l-2 border-slate-200 pl-4 dark:border-slate-700">
              <AddressChips id="compose-cc" label="Cc" value={cc} onChange={setCc} error={errors.cc} />
              <AddressChips id="compose-bcc" label="Bcc" value={bcc} onChange={setBcc} error={errors.bcc} />
              <AddressChips id="compose-reply-to" label="Reply-To" value={replyTo} onChange={setReplyTo} error={errors.replyTo} />
              <div className="space-y-1">
                <label htmlFor="compose-importance" className="block text-sm font-medium">Importance</label>
                <select id="compose-importance" className={`${select} max-w-xs`} value={importance} onChange={(e) => setImportance(e.target.value)}>
                  <option value="low">Low</option>
                  <option value="normal">Normal</option>
                  <option value="high">High</option>
                </select>
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
                {errors.headers ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{errors.headers}</p> : null}
                {headers.length < MAX_HEADERS ? <Button variant="secondary" onClick={() => setHeaders([...headers, { name: "", value: "" }])}>Add header</Button> : null}
              </fieldset>
            </Collapsible.Content>
          </Collapsible.Root>
          <Field name="subject" id="compose-subject" label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={errors.subject} maxLength={255} />
          <fieldset className="space-y-2">
            <legend id="compose-body-label" className="text-sm font-medium">Message body</legend>
            <div className="flex flex-wrap gap-4 text-sm">
              <label><input type="radio" name="bodyType" checked={bodyType === "html"} onChange={() => setBodyType("html")} /> Rich text (HTML)</label>
              <label><input type="radio" name="bodyType" checked={bodyType === "text"} onChange={() => setBodyType("text")} /> Plain text</label>
              {bodyType === "html" ? <button type="button" className="text-brand-600 underline dark:text-brand-500" aria-pressed={preview} onClick={() => setPreview(!preview)}>{preview ? "Hide preview" : "Preview"}</button> : null}
            </div>
            <div hidden={bodyType !== "html"}>
              <BodyField value={html} onChange={setHtml} labelledBy="compose-body-label" load={loadEditor} disabled={locked} />
            </div>
            {bodyType === "text" ? <textarea aria-labelledby="compose-body-label" className={`${select} min-h-40`} value={text} onChange={(e) => setText(e.target.value)} /> : null}
            {/* Stored or typed HTML is only ever rendered in a sandboxed iframe: no script runs in the portal's origin. */}
            {bodyType === "html" && preview ? <iframe title="Preview of the message body" sandbox="" srcDoc={srcDoc(html)} referrerPolicy="no-referrer" className="h-48 w-full rounded-md border border-slate-300 bg-white" /> : null}
            {errors.body ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{errors.body}</p> : null}
          </fieldset>
          <Attachments items={files} setItems={setFiles} error={errors.attachments} />
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
          {warnings.map((w) => <p key={w} role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">{w}</p>)}
        </fieldset>
        <div className="mt-4 space-y-3">
          {errorMessage ? (
            <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">{errorMessage}</div>
          ) : null}
          {sendId ? (
            <p id="compose-locked-note" className="text-sm text-slate-600 dark:text-slate-400">This message is queued and can no longer be changed.</p>
          ) : (
            <Button type="submit" disabled={locked || uploading}>{uploading ? "Waiting for uploads…" : pending ? "Queuing…" : "Send"}</Button>
          )}
        </div>
      </form>
      {sendId ? (
        <SendStatus
          key={sendId}
          sendId={sendId}
          onStatus={setOutcome}
          actions={
            <>
              <Button variant={finalFailure ? "secondary" : "primary"} onClick={() => onSendAnother({ tenantId, mode, from })}>Send another</Button>
              {finalFailure ? <Button onClick={editAgain}>Edit and send again</Button> : null}
            </>
          }
        />
      ) : null}
    </div>
  );
}
