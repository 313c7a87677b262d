// The local web chat page: inline, no build step. Replies are rendered with textContent (never
// innerHTML), links made clickable, and numbered options shown as buttons.
export const WEB_CHAT_PAGE = `<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Consulta de fibra — chat</title>
<style>
  :root { color-scheme: light dark; --accent: #0b7a3e; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.4 system-ui, sans-serif; display: flex; flex-direction: column; height: 100dvh; }
  header { padding: .75rem 1rem; background: var(--accent); color: #fff; }
  header h1 { margin: 0; font-size: 1.1rem; }
  #log { flex: 1; overflow-y: auto; padding: 1rem; display: flex; flex-direction: column; gap: .5rem; }
  .msg { max-width: 85%; padding: .5rem .75rem; border-radius: .75rem; white-space: pre-wrap; word-wrap: break-word; }
  .bot { align-self: flex-start; background: #e8f2ec; color: #111; }
  .me { align-self: flex-end; background: var(--accent); color: #fff; }
  .options { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .4rem; }
  .options button { font: inherit; padding: .35rem .7rem; border-radius: 1rem; border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
  form { display: flex; gap: .5rem; padding: .75rem; border-top: 1px solid #ccc; }
  form input { flex: 1; font: inherit; padding: .6rem; border-radius: .5rem; border: 1px solid #999; min-width: 0; }
  form button { font: inherit; padding: .6rem .9rem; border-radius: .5rem; border: 0; background: var(--accent); color: #fff; cursor: pointer; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
</head>
<body>
<header><h1>Consulta de disponibilidade de fibra</h1></header>
<main id="log" role="log" aria-live="polite" aria-label="Conversa"></main>
<form id="form">
  <label for="text" class="visually-hidden">Mensagem</label>
  <input id="text" name="text" autocomplete="off" placeholder="Digite sua mensagem" maxlength="2000">
  <button type="submit">Enviar</button>
  <button type="button" id="loc" aria-label="Enviar minha localização">📍</button>
</form>
<script>
(() => {
  const log = document.getElementById('log');
  const form = document.getElementById('form');
  const input = document.getElementById('text');
  let sessionId = localStorage.getItem('alcance-chat-session');
  const returning = Boolean(sessionId);
  if (!sessionId) {
    sessionId = crypto.randomUUID();
    localStorage.setItem('alcance-chat-session', sessionId);
  }

  function addText(el, text) {
    const parts = text.split(/(https?:\\/\\/\\S+)/g);
    for (const part of parts) {
      if (/^https?:\\/\\//.test(part)) {
        const a = document.createElement('a');
        a.href = part; a.textContent = part; a.target = '_blank'; a.rel = 'noopener';
        el.appendChild(a);
      } else {
        el.appendChild(document.createTextNode(part));
      }
    }
  }

  function bubble(who, text, options) {
    const div = document.createElement('div');
    div.className = 'msg ' + who;
    addText(div, text);
    if (options && options.length) {
      const row = document.createElement('div');
      row.className = 'options';
      for (const o of options) {
        const b = document.createElement('button');
        b.type = 'button'; b.textContent = o.key + ' - ' + o.label;
        b.addEventListener('click', () => send({ text: o.key }, o.label));
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function show(replies) {
    for (const r of replies) {
      if (r.kind === 'location') bubble('bot', '📍 ' + (r.address || (r.point.lat + ', ' + r.point.lng)));
      else if (r.kind === 'request-location') {
        let text = r.text + '\\n\\nToque no botão 📍 abaixo para enviar sua localização.';
        if (r.findmeUrl) text += '\\nSe preferir, marque o local no mapa: ' + r.findmeUrl;
        bubble('bot', text);
      } else bubble('bot', r.text, r.options);
    }
  }

  async function send(body, echo) {
    bubble('me', echo);
    try {
      const res = await fetch('chat/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, messageId: crypto.randomUUID(), ...body }),
      });
      const data = await res.json();
      if (!res.ok) throw new Error(data.message || res.status);
      show(data.replies);
    } catch (err) {
      bubble('bot', 'Não consegui enviar sua mensagem agora. Tente de novo em instantes.');
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send({ text }, text);
  });

  document.getElementById('loc').addEventListener('click', () => {
    if (!navigator.geolocation) { bubble('bot', 'Seu navegador não permite enviar a localização.'); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => send({ location: { lat: p.coords.latitude, lng: p.coords.longitude } }, '📍 Minha localização'),
      () => bubble('bot', 'Não consegui pegar sua localização. Verifique a permissão do navegador.'),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  });

  setInterval(async () => {
    try {
      const res = await fetch('chat/messages?sessionId=' + encodeURIComponent(sessionId));
      if (res.ok) show((await res.json()).replies);
    } catch {}
  }, 4000);

  if (returning) bubble('bot', 'Bem-vindo de volta! Envie uma mensagem para continuar a conversa.');
  else send({ text: 'oi' }, 'oi');
})();
</script>
</body>
</html>
`;
