// Imaginecole web chat. Plain JS, no build step; server text only goes through textContent.
(() => {
  'use strict';
  const P = 'imaginecole.', $ = (s) => document.querySelector(s);
  const feed = $('.feed'), log = $('#log'), input = $('#text'), form = $('#composer');
  const sendBtn = $('#send'), statusEl = $('#status'), dots = $('.typing');
  const T = {
    fr: ['Écrivez votre message…', 'Votre message', 'Envoyer', 'Connexion…', 'En ligne',
      'Hors ligne — vos messages partiront dès le retour du réseau', 'Valider', 'Fichier plus disponible ici.'],
    en: ['Write your message…', 'Your message', 'Send', 'Connecting…', 'Online',
      'Offline — your messages will go when the network is back', 'Submit', 'File no longer available here.'],
    ar: ['اكتب رسالتك…', 'رسالتك', 'إرسال', 'جارٍ الاتصال…', 'متصل',
      'غير متصل — ستُرسَل رسائلك فور عودة الشبكة', 'تأكيد', 'الملف لم يعد متاحًا هنا.'],
  };
  const K = { ph: 0, label: 1, send: 2, connecting: 3, online: 4, offline: 5, submit: 6, gone: 7 };
  let ui = T.fr, state = 'connecting';
  const t = (k) => ui[K[k]];

  const get = (k) => { try { return localStorage.getItem(P + k); } catch (e) { return null; } };
  const put = (k, v) => { try { localStorage.setItem(P + k, v); return true; } catch (e) { return false; } };
  const load = (k) => { try { const v = JSON.parse(get(k)); return Array.isArray(v) ? v : []; } catch (e) { return []; } };
  const rand = (n) => {
    const b = crypto.getRandomValues(new Uint8Array(n));
    return btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  let uid = get('uid');
  if (!/^[\w-]{16,64}$/.test(uid || '')) put('uid', uid = rand(16));
  let hist = load('history'), queue = load('queue');
  const saveQueue = () => put('queue', JSON.stringify(queue));
  const remember = (e) => {
    if (e.type === 'document' && (e.data || '').length > 150000) e = Object.assign({}, e, { data: '' });
    hist = hist.concat([e]).slice(-200);
    while (!put('history', JSON.stringify(hist)) && hist.length > 20) hist = hist.slice(hist.length >> 1);
  };

  // ---------- rendering ----------
  let pinned = true;
  const toBottom = () => { feed.scrollTop = feed.scrollHeight; pinned = true; };
  const add = (n) => { log.appendChild(n); if (pinned) toBottom(); };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) { e.textContent = String(text); e.dir = 'auto'; }
    return e;
  };
  const para = (text, cls) => { // keeps line breaks (CSS) and makes http(s) links clickable
    const p = el('p', cls), s = String(text), re = /https?:\/\/[^\s<>"']+/g;
    let last = 0, m;
    p.dir = 'auto';
    while ((m = re.exec(s))) {
      const url = m[0].replace(/[.,;:!?)\]»]+$/, ''), a = el('a', '', url);
      a.href = url; a.target = '_blank'; a.rel = 'noopener noreferrer';
      p.append(s.slice(last, m.index), a);
      last = re.lastIndex = m.index + url.length;
    }
    p.append(s.slice(last));
    return p;
  };
  const bubble = (cls, text) => {
    const b = el('div', 'msg ' + cls);
    if (text) b.appendChild(para(text));
    return b;
  };
  const grid = (cols) => {
    const g = el('div', 'grid');
    g.style.setProperty('--cols', Math.max(1, Math.min(4, cols | 0 || 1)));
    return g;
  };
  const optButton = (f, o, cls) => {
    const b = el('button', cls, o.label);
    b.type = 'button';
    b.setAttribute('data-option', o.id);
    b.onclick = () => { b.classList.add('chosen'); submit({ type: 'option', prompt: f.prompt, option: o.id }, o.label); };
    return b;
  };
  const choice = (f) => {
    log.querySelectorAll('.opts:not(.old), .opts:not(.old) button, .opts:not(.old) .choice')
      .forEach((n) => n.classList.add('old'));
    add(bubble('bot', f.text));
    const box = el('div', 'opts'), list = grid(f.columns), opts = Array.isArray(f.options) ? f.options : [];
    box.setAttribute('data-prompt', f.prompt);
    box.appendChild(list);
    if (f.type === 'quiz' && f.multiple) {
      opts.forEach((o) => {
        const l = el('label', 'choice'), c = el('input');
        l.setAttribute('data-option', o.id);
        c.type = 'checkbox'; c.value = o.id;
        l.append(c, el('span', '', o.label));
        list.appendChild(l);
      });
      const s = el('button', 'submit', f.submit || t('submit'));
      s.type = 'button'; s.disabled = true;
      list.onchange = () => { s.disabled = !list.querySelector(':checked'); };
      s.onclick = () => {
        const on = [].slice.call(list.querySelectorAll(':checked'));
        if (on.length) submit({ type: 'options', prompt: f.prompt, options: on.map((c) => c.value) },
          on.map((c) => c.parentNode.textContent).join(', '));
      };
      box.appendChild(s);
    } else opts.forEach((o) => list.appendChild(optButton(f, o, 'option')));
    if (Array.isArray(f.extra) && f.extra.length) {
      const x = box.appendChild(grid(Math.min(3, f.extra.length)));
      f.extra.forEach((o) => x.appendChild(optButton(f, o, 'option extra')));
    }
    add(box);
  };
  const media = (f) => {
    const b = bubble('bot media');
    let url = '';
    try { url = new URL(String(f.url), location.href); url = /^https?:$/.test(url.protocol) ? url.href : ''; } catch (e) { /* bad url */ }
    if (url && f.kind === 'audio') {
      const a = b.appendChild(el('audio'));
      a.controls = true; a.preload = 'none'; a.src = url;
    } else if (url) {
      const i = b.appendChild(el('img'));
      i.alt = f.caption || ''; i.loading = 'lazy';
      i.onload = () => pinned && toBottom();
      i.src = url;
    }
    if (f.caption) b.appendChild(para(f.caption, 'caption'));
    add(b);
  };
  const doc = (f) => {
    const b = bubble('bot doc'), name = f.filename || 'file';
    try {
      if (!f.data) throw 0;
      const bin = atob(f.data), u8 = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
      const mime = /html|xml|svg|script/i.test(f.mime) ? '' : f.mime; // never let a blob run as a page
      const a = b.appendChild(el('a', 'file', name));
      a.href = URL.createObjectURL(new Blob([u8], { type: mime || 'application/octet-stream' }));
      a.download = name;
    } catch (e) { b.appendChild(el('p', 'note', name + ' — ' + t('gone'))); }
    if (f.caption) b.appendChild(para(f.caption));
    add(b);
  };
  const render = (f) => {
    const ty = f.type;
    if (ty === 'me') {
      const b = bubble('me', f.text);
      b.setAttribute('data-id', f.id);
      if (queue.some((q) => q.id === f.id)) b.classList.add('pending');
      add(b);
    } else if (ty === 'say' || ty === 'error') add(bubble(ty === 'say' ? 'bot' : 'bot error', f.text));
    else if (ty === 'ask' || ty === 'quiz') choice(f);
    else if (ty === 'media') media(f);
    else if (ty === 'document') doc(f);
    else return false;
    return true;
  };

  // ---------- language and status ----------
  const setStatus = (s) => { state = s; statusEl.setAttribute('data-state', s); statusEl.textContent = t(s); };
  const setLocale = (lang, rtl) => {
    lang = /^[a-z]{2,3}([-_][a-z0-9]{1,8})*$/i.test(lang) ? lang : 'fr';
    document.documentElement.lang = lang;
    document.documentElement.dir = rtl ? 'rtl' : 'ltr';
    ui = T[lang.slice(0, 2).toLowerCase()] || T.fr;
    input.placeholder = t('ph');
    $('label[for=text]').textContent = t('label');
    sendBtn.lastChild.textContent = t('send');
    setStatus(state);
  };
  const typing = (on) => { dots.hidden = !on; if (on && pinned) toBottom(); };

  // ---------- connection, queue, resend ----------
  // Unsent and unanswered frames stay in `queue` (also in localStorage) and go again, same id, after a reconnect.
  let ws = null, tries = 0, timer = 0, watchdog = 0, resuming = false, ackMode = false, sent = {};
  const connect = () => {
    clearTimeout(timer); timer = 0;
    if (ws) return;
    if (state !== 'offline') setStatus('connecting');
    let s;
    try { s = ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws'); } catch (e) { return retry(); }
    s.onopen = () => {
      tries = 0; resuming = true; setStatus('online');
      s.send(JSON.stringify({ type: 'hello', uid }));
      flush();
    };
    s.onmessage = (ev) => {
      let f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f && typeof f === 'object' && ws === s) onFrame(f);
    };
    s.onclose = () => { if (ws === s) { ws = null; retry(); } };
  };
  const drop = () => { // no answer for 20 s: the socket is probably dead, open a fresh one
    const s = ws;
    ws = null;
    if (s) { s.onclose = s.onmessage = s.onopen = null; try { s.close(); } catch (e) { /* ignore */ } }
    retry();
  };
  const retry = () => {
    clearTimeout(watchdog); watchdog = 0; sent = {}; typing(false);
    setStatus('offline');
    if (!timer) timer = setTimeout(connect, Math.min(15000, 500 * 2 ** tries++ * (0.8 + Math.random() * 0.4)));
  };
  const now = () => { if (!ws) connect(); };
  const arm = () => { if (!watchdog) watchdog = setTimeout(drop, 20000); typing(true); };
  const flush = () => {
    if (!ws || ws.readyState !== 1) return;
    queue.forEach((q) => { if (!sent[q.id]) { ws.send(JSON.stringify(q)); sent[q.id] = 1; } });
    if (Object.keys(sent).length) arm();
  };
  const confirm = (ids) => {
    ids.forEach((id) => {
      delete sent[id];
      log.querySelectorAll('.msg.me.pending').forEach((b) => { if (b.getAttribute('data-id') === id) b.classList.remove('pending'); });
    });
    queue = queue.filter((q) => ids.indexOf(q.id) < 0);
    saveQueue();
  };
  const isRepeat = (f) => { // after a reconnect the server re-sends the current prompt: show it once
    const s = JSON.stringify(f);
    return hist.slice(-5).some((e) => JSON.stringify(e) === s);
  };
  const onFrame = (f) => {
    clearTimeout(watchdog); watchdog = 0; typing(false);
    if (f.type === 'ack') { ackMode = true; confirm([f.id]); } else if (!ackMode) confirm(Object.keys(sent));
    if (Object.keys(sent).length) arm();
    if (f.type === 'locale') {
      setLocale(f.lang, f.rtl);
      put('locale', JSON.stringify([f.lang, !!f.rtl]));
    } else if (!(resuming && isRepeat(f)) && render(f)) remember(f);
  };
  const submit = (frame, shown) => {
    resuming = false;
    frame = Object.assign({ type: frame.type, id: rand(12) }, frame);
    queue.push(frame); saveQueue();
    const e = { type: 'me', text: shown, id: frame.id };
    render(e); remember(e); toBottom();
    flush();
  };

  // ---------- input and start ----------
  const grow = () => {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 3, 144) + 'px';
    if (pinned) toBottom();
  };
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!v) return;
    input.value = ''; grow();
    submit({ type: 'text', text: v }, v);
    input.focus();
  };
  input.onkeydown = (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); sendBtn.click(); }
  };
  input.oninput = grow;
  feed.addEventListener('scroll', () => { pinned = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 80; }, { passive: true });
  addEventListener('resize', () => pinned && toBottom());
  addEventListener('online', now);
  document.addEventListener('visibilitychange', () => document.hidden || now());
  const L = load('locale');
  setLocale(L[0], L[1]);
  hist.forEach((e) => { try { render(e); } catch (err) { /* skip a damaged entry */ } });
  toBottom();
  connect();
})();
