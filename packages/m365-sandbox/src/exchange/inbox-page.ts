/**
 * The inbox view for people (like Mailpit): mailboxes with counts, the message list, and one
 * message with headers, recipients, attachments and the body. Everything is escaped with esc();
 * an HTML body is shown only inside <iframe sandbox srcdoc="…"> (no scripts, no same-origin), so a
 * hostile message cannot touch the sandbox's login origin. Plain CSS; works at phone widths.
 */
import type { SandboxContext } from "../context";
import { esc } from "../http";
import type { DeliveredMessage } from "../model";
import { isSentItem } from "./mail-state";

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;background:#f5f6f8}
header{background:#0f3d68;color:#fff;padding:.7rem 1rem;display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
header a{color:#fff}h1{font-size:1.1rem;margin:0}main{display:flex;gap:1rem;padding:1rem;flex-wrap:wrap}
nav{flex:0 0 16rem;max-width:100%}section{flex:1 1 24rem;min-width:0}
ul{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #d9dce1;border-radius:6px}
li{border-top:1px solid #eceef1}li:first-child{border-top:0}
li a{display:block;padding:.55rem .75rem;color:inherit;text-decoration:none;overflow-wrap:anywhere}li a:hover{background:#eef4fb}
.sel{background:#e2edf9}.n{float:right;color:#555;font-variant-numeric:tabular-nums}.muted{color:#5c6470;font-size:.85rem}
.subj{font-weight:600}table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d9dce1}
th,td{text-align:left;vertical-align:top;padding:.35rem .6rem;border-top:1px solid #eceef1;overflow-wrap:anywhere}th{width:9rem;color:#444}
iframe{width:100%;min-height:24rem;border:1px solid #d9dce1;background:#fff}pre{white-space:pre-wrap;background:#fff;border:1px solid #d9dce1;padding:.75rem;overflow-wrap:anywhere}
.tag{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:3px;background:#e6e8eb;margin-left:.3rem}
@media (max-width:640px){main{padding:.5rem}nav{flex-basis:100%}th{width:6rem}}`;

function page(title: string, body: string, refresh = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${
    refresh ? '<meta http-equiv="refresh" content="10">' : ""
  }<title>${esc(title)}</title><style>${CSS}</style></head><body>${body}</body></html>`;
}

const addr = (a: { address: string; name?: string }) => (a.name && a.name !== a.address ? `${esc(a.name)} &lt;${esc(a.address)}&gt;` : esc(a.address));
const list = (xs: { address: string; name?: string }[]) => (xs.length ? xs.map(addr).join(", ") : '<span class="muted">—</span>');
const kb = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);

function header(ctx: SandboxContext): string {
  return `<header><h1><a href="${esc(ctx.urls.controlUrl)}/inbox">Sandbox inbox</a></h1><span class="muted" style="color:#cfe0f1">Mail delivered by the local Microsoft Graph stand-in</span></header>`;
}

export function notFoundPage(ctx: SandboxContext): string {
  return page("Not found", `${header(ctx)}<main><section><p>That message does not exist (the sandbox may have been reset).</p></section></main>`);
}

export function inboxListPage(ctx: SandboxContext, selected: string | null): string {
  const sel = (selected ?? "").trim().toLowerCase();
  const counts = new Map<string, { inbox: number; sent: number; label: string }>();
  for (const mb of ctx.store.mailboxes.values()) {
    const u = ctx.store.users.get(mb.userId);
    counts.set(mb.primarySmtpAddress.toLowerCase(), { inbox: 0, sent: 0, label: `${u?.displayName ?? mb.primarySmtpAddress}${mb.kind === "shared" ? " (shared)" : ""}` });
  }
  for (const m of ctx.store.delivered) {
    const key = m.mailbox.toLowerCase();
    const e = counts.get(key) ?? { inbox: 0, sent: 0, label: `${m.mailbox} (external)` };
    if (isSentItem(ctx.store, m)) e.sent++;
    else e.inbox++;
    counts.set(key, e);
  }
  const base = `${ctx.urls.controlUrl}/inbox`;
  const nav = [...counts.entries()]
    .sort((a, b) => b[1].inbox - a[1].inbox || a[0].localeCompare(b[0]))
    .map(([k, e]) => `<li><a class="${k === sel ? "sel" : ""}" href="${esc(base)}?mailbox=${esc(encodeURIComponent(k))}"><span class="n">${e.inbox}${e.sent ? ` · ${e.sent} sent` : ""}</span>${esc(e.label)}<br><span class="muted">${esc(k)}</span></a></li>`)
    .join("");
  const msgs = ctx.store.delivered.filter((m) => !sel || m.mailbox.toLowerCase() === sel).slice().reverse();
  const rows = msgs
    .map((m) => {
      const sent = isSentItem(ctx.store, m);
      return `<li><a href="${esc(base)}/messages/${esc(encodeURIComponent(m.id))}"><span class="n muted">${esc(m.receivedDateTime.replace("T", " ").slice(0, 19))}</span><span class="subj">${esc(m.subject || "(no subject)")}</span>${
        sent ? '<span class="tag">Sent Items</span>' : ""
      }${m.attachments.length ? `<span class="tag">${m.attachments.length} attachment${m.attachments.length > 1 ? "s" : ""}</span>` : ""}<br><span class="muted">${
        sent ? `to ${list(m.to)}` : `from ${addr(m.from)}`
      } · in ${esc(m.mailbox)}</span></a></li>`;
    })
    .join("");
  const body = `${header(ctx)}<main><nav><ul><li><a class="${sel ? "" : "sel"}" href="${esc(base)}"><span class="n">${ctx.store.delivered.length}</span>All mail</a></li>${nav}</ul></nav>
<section>${rows ? `<ul>${rows}</ul>` : '<p class="muted">No mail yet. Send one through the Graph API and it appears here (this page refreshes every 10 seconds).</p>'}</section></main>`;
  return page(sel ? `Inbox — ${sel}` : "Sandbox inbox", body, true);
}

export function inboxMessagePage(ctx: SandboxContext, m: DeliveredMessage): string {
  const atts = m.attachments
    .map((a, n) => `<li><a href="${esc(ctx.urls.controlUrl)}/messages/${esc(encodeURIComponent(m.id))}/attachments/${n}">${esc(a.name)}</a> <span class="muted">${esc(a.contentType)} · ${kb(a.size)} · sha256 ${esc(a.sha256.slice(0, 16))}…</span></li>`)
    .join("");
  const hdrs = m.internetMessageHeaders.map((h) => `<tr><th>${esc(h.name)}</th><td>${esc(h.value)}</td></tr>`).join("");
  const body =
    m.body.contentType === "html"
      ? // sandbox without allow-scripts / allow-same-origin: the mail's HTML cannot run script or reach this origin.
        `<iframe sandbox srcdoc="${esc(m.body.content)}" title="Message body" referrerpolicy="no-referrer"></iframe>`
      : `<pre>${esc(m.body.content)}</pre>`;
  const html = `${header(ctx)}<main><section>
<p><a href="${esc(ctx.urls.controlUrl)}/inbox?mailbox=${esc(encodeURIComponent(m.mailbox.toLowerCase()))}">← ${esc(m.mailbox)}</a></p>
<h2 style="margin:.2rem 0 .6rem;font-size:1.25rem;overflow-wrap:anywhere">${esc(m.subject || "(no subject)")}</h2>
<table>
<tr><th>From</th><td>${addr(m.from)}${m.sender.address.toLowerCase() !== m.from.address.toLowerCase() ? ` (sent by ${addr(m.sender)})` : ""}</td></tr>
<tr><th>To</th><td>${list(m.to)}</td></tr><tr><th>Cc</th><td>${list(m.cc)}</td></tr>
${m.bcc.length ? `<tr><th>Bcc</th><td>${list(m.bcc)}</td></tr>` : ""}
${m.replyTo.length ? `<tr><th>Reply-To</th><td>${list(m.replyTo)}</td></tr>` : ""}
<tr><th>Delivered to</th><td>${esc(m.mailbox)}${isSentItem(ctx.store, m) ? ' <span class="tag">Sent Items</span>' : ""}</td></tr>
<tr><th>Received</th><td>${esc(m.receivedDateTime)}</td></tr><tr><th>Importance</th><td>${esc(m.importance)}</td></tr>
<tr><th>Message-ID</th><td>${esc(m.internetMessageId)}</td></tr>
<tr><th>Sent via</th><td>Graph ${esc(m.via.route === "sendMail" ? "sendMail" : "draft + send")}, ${esc(m.via.kind === "app" ? "app-only" : "delegated")} token of app ${esc(m.via.appId)}</td></tr>
${hdrs}</table>
${atts ? `<h3>Attachments</h3><ul>${atts}</ul>` : ""}
<h3>Body <span class="muted">(${esc(m.body.contentType)})</span></h3>${body}</section></main>`;
  return page(m.subject || "Message", html);
}
