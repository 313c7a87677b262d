// The web chat page: inline, no build step. Replies are rendered with textContent (never
// innerHTML), links made clickable, options shown as buttons. The transcript is kept in
// localStorage, so a reload shows the conversation and the customer carries on where they were.
import type { Texts } from '../conversation/texts.js';

/** Text safe inside HTML element content and attribute values. */
function html(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// Plain JavaScript for the browser. Kept in String.raw so that "\n" reaches the browser as an
// escape inside a string literal, never as a raw line break (which is a syntax error there).
const SCRIPT = String.raw`
(() => {
  const T = JSON.parse(document.getElementById('chat-texts').textContent);
  const log = document.getElementById('log');
  const form = document.getElementById('form');
  const input = document.getElementById('text');
  const SESSION = 'alcance-chat-session';
  const HISTORY = 'alcance-chat-history';
  const MAX_HISTORY = 150;
  let sessionId = localStorage.getItem(SESSION);
  if (!sessionId) {
    sessionId = crypto.randomUUID();
    localStorage.setItem(SESSION, sessionId);
  }
  let history = [];
  try { history = JSON.parse(localStorage.getItem(HISTORY) || '[]'); } catch { history = []; }

  function remember(entry) {
    history.push(entry);
    if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
    try { localStorage.setItem(HISTORY, JSON.stringify(history)); } catch {}
  }

  function addText(el, text) {
    for (const part of text.split(/(https?:\/\/\S+)/g)) {
      if (/^https?:\/\//.test(part)) {
        const a = document.createElement('a');
        a.href = part; a.textContent = part; a.target = '_blank'; a.rel = 'noopener';
        el.appendChild(a);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    }
  }

  function disableOldOptions() {
    for (const b of log.querySelectorAll('.options button')) b.disabled = true;
  }

  function bubble(who, text, options, save = true) {
    const div = document.createElement('div');
    div.className = 'msg ' + who;
    addText(div, text);
    if (options && options.length) {
      const row = document.createElement('div');
      row.className = 'options';
      for (const o of options) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = o.key + '. ' + o.label;
        b.addEventListener('click', () => send({ text: o.key }, o.label));
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    if (save) remember({ who, text, options: options || [] });
  }

  function show(replies) {
    for (const r of replies) {
      if (r.kind === 'location') {
        bubble('bot', '📍 ' + (r.address || (r.point.lat + ', ' + r.point.lng)));
      } else if (r.kind === 'request-location') {
        let text = r.text + '\n\n' + T.locationHint;
        if (r.findmeUrl) text += '\n' + (r.findmeText || T.mapLink) + ' ' + r.findmeUrl;
        bubble('bot', text);
      } else {
        bubble('bot', r.text, r.options);
      }
    }
  }

  // One request at a time, in order: the conversation is a sequence.
  let queue = Promise.resolve();
  function send(body, echo) {
    disableOldOptions();
    bubble('me', echo);
    queue = queue.then(async () => {
      try {
        const res = await fetch('chat/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId, messageId: crypto.randomUUID(), ...body }),
        });
        const data = await res.json();
        if (!res.ok) throw new Error(data.message || String(res.status));
        show(data.replies);
      } catch {
        bubble('bot', T.sendFailed, [], false);
      }
    });
    return queue;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    void send({ text }, text);
  });

  document.getElementById('loc').addEventListener('click', () => {
    if (!navigator.geolocation) { bubble('bot', T.noGeolocation, [], false); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => void send({ location: { lat: p.coords.latitude, lng: p.coords.longitude } }, T.myLocation),
      () => bubble('bot', T.geolocationFailed, [], false),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  });

  // Messages the bot sends later (after the customer confirms the point on the map page).
  async function poll() {
    try {
      const res = await fetch('chat/messages?sessionId=' + encodeURIComponent(sessionId));
      if (res.ok) show((await res.json()).replies);
    } catch {}
  }
  setInterval(poll, 3000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) void poll(); });

  if (history.length) {
    for (const h of history) bubble(h.who, h.text, h.options, false);
    const buttons = log.querySelectorAll('.msg:last-child .options button');
    disableOldOptions();
    for (const b of buttons) b.disabled = false;
    void poll();
  } else {
    void send({ text: 'oi' }, 'oi');
  }
  input.focus();
})();
`;

/** The page, with the provider's name and texts; `nonce` is the CSP nonce of its script. */
export function renderWebChatPage(texts: Texts, nonce: string): string {
  const t = texts.raw;
  const clientTexts = {
    locationHint: t('webLocationHint'),
    mapLink: t('mapLinkIntro'),
    myLocation: t('webMyLocation'),
    sendFailed: t('webSendFailed'),
    noGeolocation: t('webNoGeolocation'),
    geolocationFailed: t('webGeolocationFailed'),
  };
  return `<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${html(t('webTitle'))}</title>
<style>
  :root { color-scheme: light dark; --accent: #0b7a3e; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.4 system-ui, sans-serif; display: flex; flex-direction: column; height: 100dvh; }
  header { padding: .75rem 1rem; background: var(--accent); color: #fff; }
  header h1 { margin: 0; font-size: 1.1rem; }
  #log { flex: 1; overflow-y: auto; padding: 1rem; display: flex; flex-direction: column; gap: .5rem; }
  .msg { max-width: 85%; padding: .5rem .75rem; border-radius: .75rem; white-space: pre-wrap; overflow-wrap: anywhere; }
  .bot { align-self: flex-start; background: #e8f2ec; color: #111; }
  .me { align-self: flex-end; background: var(--accent); color: #fff; }
  .bot a { color: #064d27; }
  .options { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .5rem; }
  .options button { font: inherit; min-height: 2.5rem; padding: .35rem .8rem; border-radius: 1.25rem; border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; text-align: left; }
  .options button:disabled { opacity: .5; cursor: default; }
  form { display: flex; gap: .5rem; padding: .75rem; border-top: 1px solid #ccc; }
  form input { flex: 1; font: inherit; padding: .6rem; border-radius: .5rem; border: 1px solid #999; min-width: 0; }
  form button { font: inherit; min-width: 2.75rem; padding: .6rem .9rem; border-radius: .5rem; border: 0; background: var(--accent); color: #fff; cursor: pointer; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
</head>
<body>
<header><h1>${html(t('webHeader'))}</h1></header>
<main id="log" role="log" aria-live="polite" aria-label="Conversa"></main>
<form id="form">
  <label for="text" class="visually-hidden">Mensagem</label>
  <input id="text" name="text" autocomplete="off" placeholder="${html(t('webPlaceholder'))}" maxlength="2000">
  <button type="submit">${html(t('webSend'))}</button>
  <button type="button" id="loc" aria-label="${html(t('webShareLocation'))}" title="${html(t('webShareLocation'))}">📍</button>
</form>
<script type="application/json" id="chat-texts">${scriptJson(clientTexts)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
