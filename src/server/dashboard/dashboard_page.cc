// The dashboard page, embedded so the binary serves it without files or CDNs. Everything the
// server sends is shown with textContent, never as HTML: user ids and message text are untrusted.
#include "server/dashboard/dashboard_api.h"

namespace relayer::server {
namespace {

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relayer dashboard</title>
<style>
  :root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --muted:#6b7385; --line:#e1e4ea;
          --accent:#3559e0; --sent:#9aa3b5; --delivered:#d08a00; --read:#1f9d55; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
         background:var(--bg); color:var(--ink); }
  header { background:#1d2330; color:#fff; padding:10px 20px; display:flex; gap:16px;
           align-items:center; }
  header h1 { font-size:17px; margin:0; font-weight:600; }
  header .app { color:#aab3c5; font-family:ui-monospace, monospace; font-size:12px; }
  header button { margin-left:auto; }
  main { padding:16px 20px; display:grid; grid-template-columns: 3fr 2fr; gap:16px; }
  section { background:var(--card); border:1px solid var(--line); border-radius:8px;
            padding:12px 14px; min-width:0; }
  h2 { font-size:15px; margin:0 0 10px; display:flex; align-items:center; gap:8px; }
  form.filters { display:flex; flex-wrap:wrap; gap:8px; align-items:end; margin-bottom:10px; }
  label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
  input { font:inherit; padding:5px 7px; border:1px solid var(--line); border-radius:5px; }
  button { font:inherit; padding:5px 12px; border-radius:5px; border:1px solid var(--accent);
           background:var(--accent); color:#fff; cursor:pointer; }
  button.plain { background:transparent; color:inherit; border-color:#59627a; }
  #login { max-width:420px; margin:60px auto; background:var(--card); padding:20px 24px;
           border:1px solid var(--line); border-radius:8px; display:flex; flex-direction:column;
           gap:12px; }
  #login h2 { font-size:18px; }
  .error { color:#c0392b; min-height:1.2em; }
  .live { font-size:12px; font-weight:normal; padding:1px 8px; border-radius:10px;
          background:#e7ebf3; color:var(--muted); }
  .live.on { background:#dff3e7; color:var(--read); }
  table { width:100%; border-collapse:collapse; }
  td { border-top:1px solid var(--line); padding:4px 6px; vertical-align:top; }
  td.time { white-space:nowrap; color:var(--muted); font-family:ui-monospace, monospace;
            font-size:12px; width:1%; }
  td.line { font-family:ui-monospace, monospace; font-size:12.5px; word-break:break-all; }
  tr.fresh td { animation: fresh 2s ease-out; }
  @keyframes fresh { from { background:#fff6c9; } to { background:transparent; } }
  .conversation { border:1px solid var(--line); border-radius:6px; padding:8px 10px;
                  margin-bottom:10px; }
  .conversation .cid { font-family:ui-monospace, monospace; font-size:12px; word-break:break-all; }
  .participants { color:var(--muted); font-size:12px; margin:2px 0 6px; }
  .message { border-top:1px dashed var(--line); padding:4px 0; }
  .message .who { font-weight:600; }
  .receipts { display:flex; flex-wrap:wrap; gap:4px; margin-top:3px; }
  .receipt { font-size:11.5px; padding:0 7px; border-radius:9px; color:#fff; }
  .receipt.sent { background:var(--sent); } .receipt.delivered { background:var(--delivered); }
  .receipt.read { background:var(--read); }
  .empty { color:var(--muted); font-style:italic; }
  [hidden] { display:none !important; }
</style>
</head>
<body>
<header><h1>Relayer dashboard</h1><span class="app" id="app-label"></span>
  <button class="plain" id="logout" hidden>Sign out</button></header>

<form id="login">
  <h2>Sign in to an app</h2>
  <label>App id <input id="app" placeholder="UUID or layer:///apps/staging/UUID" required></label>
  <label>Platform API token <input id="token" type="password" required></label>
  <button id="connect" type="submit">Open dashboard</button>
  <div class="error" id="login-error"></div>
</form>

<main id="main" hidden>
  <section>
    <h2>Sync logs <span class="live" id="live">connecting</span></h2>
    <form class="filters" id="filters">
      <label>User <input id="f-user" placeholder="user id"></label>
      <label>Conversation <input id="f-conv" size="30" placeholder="layer:///conversations/..."></label>
      <label>From <input id="f-from" type="datetime-local"></label>
      <label>To <input id="f-to" type="datetime-local"></label>
      <button id="apply" type="submit">Apply</button>
    </form>
    <div class="error" id="error"></div>
    <table><tbody id="logs"></tbody></table>
    <div class="empty" id="logs-empty">No log lines yet.</div>
  </section>
  <section>
    <h2>Conversations</h2>
    <div id="conversations"><div class="empty">No conversations yet.</div></div>
  </section>
</main>

<script>
"use strict";
const $ = (id) => document.getElementById(id);
const KEY = "relayer.dashboard";
let creds = null;      // {app, token}
let generation = 0;    // bumped when filters or credentials change: stale polls stop
let aborter = null;
let refreshTimer = null;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

class AuthError extends Error {}

async function api(path, params, signal) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== "" && v != null) qs.set(k, v);
  const res = await fetch("/dashboard/api/" + encodeURIComponent(creds.app) + "/" + path +
                          "?" + qs, { headers: { Authorization: "Bearer " + creds.token }, signal });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 || res.status === 403) throw new AuthError(body.message || res.statusText);
  if (!res.ok) { const e = new Error(body.message || res.statusText); e.status = res.status; throw e; }
  return body;
}

function filters() {
  const ms = (v) => (v ? String(new Date(v).getTime()) : "");
  return { user: $("f-user").value.trim(), conversation: $("f-conv").value.trim(),
           from: ms($("f-from").value), to: ms($("f-to").value) };
}

function logRow(entry, fresh) {
  const tr = el("tr", "log-line" + (fresh ? " fresh" : ""));
  tr.dataset.seq = entry.seq;
  tr.append(el("td", "time", new Date(entry.ts).toLocaleString()), el("td", "line", entry.line));
  return tr;
}

function showLogs(entries, fresh) {  // entries newest first; newest ends up on top
  const body = $("logs");
  for (let i = entries.length - 1; i >= 0; i--) body.prepend(logRow(entries[i], fresh));
  while (body.children.length > 1000) body.lastChild.remove();
  $("logs-empty").hidden = body.children.length > 0;
}

function setLive(on, text) { const l = $("live"); l.className = "live" + (on ? " on" : ""); l.textContent = text; }

function renderConversations(list) {
  const box = $("conversations");
  box.replaceChildren();
  const only = $("f-conv").value.trim();
  const shown = list.filter((c) => !only || c.id === only || c.id.endsWith("/" + only));
  if (!shown.length) { box.append(el("div", "empty", "No conversations yet.")); return; }
  for (const c of shown) {
    const card = el("div", "conversation");
    card.dataset.id = c.id;
    card.append(el("div", "cid", c.id));
    card.append(el("div", "participants", "Participants: " +
      c.participants.map((p) => p.display_name ? p.user_id + " (" + p.display_name + ")" : p.user_id).join(", ") +
      " · " + c.total_message_count + " message(s)"));
    for (const m of c.messages) {
      const row = el("div", "message");
      row.dataset.id = m.id;
      row.append(el("span", "who", (m.sender.user_id || m.sender.name) + ": "));
      const text = m.parts.map((p) => (p.text !== undefined ? p.text : "[" + p.mime_type + ", " + p.size + " bytes]")).join(" ");
      row.append(el("span", "text", text));
      const receipts = el("div", "receipts");
      for (const [user, state] of Object.entries(m.recipient_status)) {
        if (user === m.sender.user_id) continue;  // the sender has read it by definition
        const chip = el("span", "receipt " + state, user + ": " + state);
        chip.dataset.user = user;
        chip.dataset.state = state;
        receipts.append(chip);
      }
      row.append(receipts);
      card.append(row);
    }
    box.append(card);
  }
}

async function refreshConversations() {
  const gen = generation;
  try {
    const body = await api("conversations", { user: $("f-user").value.trim(), limit: 20, messages: 10 });
    if (gen === generation) renderConversations(body.conversations);
  } catch (e) { handleError(e); }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshConversations, 150);
}

function handleError(e) {
  if (e.name === "AbortError") return;
  if (e instanceof AuthError) { signOut(e.message); return; }
  $("error").textContent = e.message;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start() {
  const gen = ++generation;
  if (aborter) aborter.abort();
  aborter = new AbortController();
  const signal = aborter.signal;
  $("logs").replaceChildren();
  $("error").textContent = "";
  const f = filters();
  let cursor;
  try {
    const first = await api("logs", { ...f, limit: 200 }, signal);
    if (gen !== generation) return;
    showLogs(first.logs, false);
    cursor = first.last_seq;
  } catch (e) { handleError(e); return; }
  refreshConversations();
  // The live tail: each request is held by the server until new lines arrive (or ~25 s pass).
  while (gen === generation) {
    try {
      setLive(true, "live");
      const next = await api("logs", { ...f, after: cursor, wait: 25, limit: 200 }, signal);
      if (gen !== generation) return;
      $("error").textContent = "";
      if (next.logs.length) { showLogs(next.logs.slice().reverse(), true); scheduleRefresh(); }
      cursor = next.last_seq;
    } catch (e) {
      if (gen !== generation || e.name === "AbortError") return;
      handleError(e);
      if (e instanceof AuthError) return;
      setLive(false, "reconnecting");
      await sleep(2000);
    }
  }
}

function signIn(app, token) {
  creds = { app, token };
  sessionStorage.setItem(KEY, JSON.stringify(creds));
  $("login").hidden = true;
  $("main").hidden = false;
  $("logout").hidden = false;
  $("app-label").textContent = app;
  start();
}

function signOut(message) {
  generation++;
  if (aborter) aborter.abort();
  sessionStorage.removeItem(KEY);
  creds = null;
  $("main").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("app-label").textContent = "";
  $("login-error").textContent = message || "";
}

$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  signIn($("app").value.trim(), $("token").value);
});
$("filters").addEventListener("submit", (ev) => { ev.preventDefault(); start(); });
$("logout").addEventListener("click", () => signOut(""));

try {
  const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
  if (saved && saved.app && saved.token) { $("app").value = saved.app; signIn(saved.app, saved.token); }
} catch (e) { sessionStorage.removeItem(KEY); }
</script>
</body>
</html>
)html";

}  // namespace

std::string_view DashboardPage() { return kPage; }

}  // namespace relayer::server
