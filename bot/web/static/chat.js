// Imaginecole web chat: plain JS, no build step. Server text only ever goes through textContent.
(() => {
  'use strict';
  const $ = (s) => document.querySelector(s);
  const feed = $('.feed'), log = $('#log'), input = $('#text'), form = $('#composer'), statusEl = $('#status');
  // UI strings: placeholder, input label, send, connecting, online, offline, submit, file gone
  const T = {
    fr: ['Écrivez ici…', 'Votre message', 'Envoyer', 'Connexion…', 'En ligne',
      'Hors ligne — vos messages partiront dès le retour du réseau', 'Valider', 'fichier plus disponible ici'],
    en: ['Write here…', 'Your message', 'Send', 'Connecting…', 'Online',
      'Offline — your messages will go when the network is back', 'Submit', 'file no longer available here'],
    ar: ['اكتب هنا…', 'رسالتك', 'إرسال', 'جارٍ الاتصال…', 'متصل',
      'غير متصل — ستُرسَل رسائلك فور عودة الشبكة', 'تأكيد', 'الملف لم يعد متاحًا هنا'],
  };
  const S = { connecting: 3, online: 4, offline: 5 };
  let ui = T.fr, state = 'connecting';

  const get = (k) => { try { return localStorage.getItem('imaginecole.' + k); } catch (e) { return null; } };
  const put = (k, v) => { try { localStorage.setItem('imaginecole.' + k, v); return true; } catch (e) { return false; } };
  const list = (k) => { try { const v = JSON.parse(get(k)); return Array.isArray(v) ? v : []; } catch (e) { return []; } };
  const rand = (n) => btoa(String.fromCharCode.apply(null, crypto.getRandomValues(new Uint8Array(n))))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  let uid = get('uid');
  if (!/^[\w-]{16,64}$/.test(uid || '')) put('uid', uid = rand(16));
  let hist = list('history'), queue = list('queue');
  const saveQueue = () => put('queue', JSON.stringify(queue.filter((q) => !hushed.has(q)))); // a PIN stays in memory
  const remember = (e) => {
    if (e.type === 'document' && String(e.data).length > 150000) e = Object.assign({}, e, { data: '' });
    hist = hist.concat([e]).slice(-200);
    while (!put('history', JSON.stringify(hist)) && hist.length > 20) hist = hist.slice(hist.length >> 1);
  };

  // ---------- rendering ----------
  let pinned = true; // keep the view at the bottom unless the learner scrolled up
  const toBottom = () => { feed.scrollTop = feed.scrollHeight; pinned = true; };
  const add = (n) => { log.appendChild(n); if (pinned) toBottom(); return n; };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) { e.textContent = text; e.dir = 'auto'; }
    return e;
  };
  const linked = (into, s) => { // http(s) links made clickable
    const re = /https?:\/\/[^\s<>"']+/g;
    let last = 0, m;
    while ((m = re.exec(s))) {
      const url = m[0].replace(/[.,;:!?)\]»]+$/, ''), a = el('a', '', url);
      a.href = url; a.target = '_blank'; a.rel = 'noopener noreferrer';
      into.append(s.slice(last, m.index), a);
      last = re.lastIndex = m.index + url.length;
    }
    into.append(s.slice(last));
  };
  const para = (text, cls) => {
    const p = el('p', cls, ''), lines = String(text).split('\n');
    if (lines.length === 1) { linked(p, lines[0]); return p; }
    // Several lines: each its own block, so that each takes its own direction and its numbers
    // stay its own (a French line under an Arabic one read "6/6 = 1" as "1 = 6/6": Chromium
    // let the Arabic line before it decide, across a mere line break).
    for (const s of lines) {
      const line = document.createElement('span');
      line.className = 'line';
      linked(line, s);
      p.appendChild(line);
    }
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
  const button = (cls, text) => { const b = el('button', cls, text); b.type = 'button'; return b; };
  const optButton = (f, o, cls) => {
    const b = button(cls, o.label);
    b.setAttribute('data-option', o.id);
    const t = /^(✅|⬜) /.exec(o.label); // a tick box as text: its state said, the emoji not read
    if (t) { b.textContent = ''; b.appendChild(el('span', '', t[1])).setAttribute('aria-hidden', 'true'); b.append(o.label.slice(1)); b.setAttribute('aria-pressed', t[1] === '✅'); }
    b.onclick = () => { b.classList.add('chosen'); submit({ type: 'option', prompt: f.prompt, option: o.id }, o.label); };
    return b;
  };
  const choice = (f) => {
    log.querySelectorAll('.opts:not(.old), .opts:not(.old) button, .opts:not(.old) .choice')
      .forEach((n) => n.classList.add('old'));
    add(bubble('bot', f.text));
    const box = el('div', 'opts'), g = box.appendChild(grid(f.columns));
    const opts = Array.isArray(f.options) ? f.options : [], extra = Array.isArray(f.extra) ? f.extra : [];
    box.setAttribute('data-prompt', f.prompt);
    if (f.type === 'quiz' && f.multiple) {
      opts.forEach((o) => {
        const l = g.appendChild(el('label', 'choice')), c = l.appendChild(el('input'));
        l.setAttribute('data-option', o.id);
        c.type = 'checkbox'; c.value = o.id;
        l.appendChild(el('span', '', o.label));
      });
      const s = box.appendChild(button('submit', f.submit || ui[6]));
      s.disabled = true;
      g.onchange = () => { s.disabled = !g.querySelector(':checked'); };
      s.onclick = () => {
        const on = [].slice.call(g.querySelectorAll(':checked'));
        if (on.length) submit({ type: 'options', prompt: f.prompt, options: on.map((c) => c.value) },
          on.map((c) => c.parentNode.textContent).join(', '));
      };
    } else opts.forEach((o) => g.appendChild(optButton(f, o, 'option')));
    if (extra.length) {
      const x = box.appendChild(grid(Math.min(3, extra.length)));
      extra.forEach((o) => x.appendChild(optButton(f, o, 'option extra')));
    }
    add(box);
  };
  const media = (f) => {
    const b = bubble('bot media');
    if (f.url && f.kind === 'audio') {
      const a = b.appendChild(el('audio'));
      a.controls = true; a.preload = 'none'; a.src = f.url;
    } else if (f.url && f.kind === 'document' && f.url.charAt(0) === '/') { // our /media/ only
      const a = b.appendChild(el('a', 'file', f.url.split('/').pop()));
      a.href = f.url; a.download = '';
    } else if (f.url) { // (an img or audio src never runs script)
      const i = b.appendChild(el('img'));
      i.alt = f.caption || ''; i.loading = 'lazy'; i.src = f.url;
      i.onload = () => pinned && toBottom();
      zoomable(b, i, f.url, f.url.split('?')[0].split('/').pop()); // tap to enlarge, download
    }
    if (f.caption) b.appendChild(para(f.caption, 'caption'));
    add(b);
  };
  const doc = (f) => {
    if (f.url) return fileCard(f); // a signed link to the kept file (bot/web/files.py)
    const b = bubble('bot'), name = f.filename || 'file';
    try {
      const bin = atob(f.data || ''), u8 = new Uint8Array(bin.length);
      if (!bin) throw 0;
      for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
      const mime = /html|xml|svg|script/i.test(f.mime) ? '' : f.mime; // a blob opened in a tab must not run as a page
      const a = b.appendChild(el('a', 'file', name));
      a.href = URL.createObjectURL(new Blob([u8], { type: mime || 'application/octet-stream' }));
      a.download = name;
    } catch (e) { b.appendChild(el('p', 'note', name + ' — ' + ui[7])); }
    if (f.caption) b.appendChild(para(f.caption));
    add(b);
  };
  const render = (f) => {
    const ty = f.type;
    if (ty === 'me') {
      const b = add(bubble('me', f.text));
      b.setAttribute('data-id', f.id);
      if (queue.some((q) => q.id === f.id)) b.classList.add('pending');
    } else if (ty === 'say' || ty === 'error') add(bubble(ty === 'say' ? 'bot' : 'bot error', f.text));
    else if (ty === 'ask' || ty === 'quiz') { choice(f); masked(!!f.secret); }
    else if (ty === 'clear') { wipe(f.forget); return false; }
    else if (ty === 'media') media(f);
    else if (ty === 'document') doc(f);
    else return false;
    return true;
  };

  // ---------- language and status ----------
  const setStatus = (s) => { state = s; statusEl.setAttribute('data-state', s); statusEl.textContent = ui[S[s]]; };
  const setLocale = (lang, rtl) => {
    lang = /^[a-z]{2,3}([-_][a-z0-9]{1,8})*$/i.test(lang) ? lang : 'fr';
    document.documentElement.lang = lang;
    document.documentElement.dir = rtl ? 'rtl' : 'ltr';
    ui = T[lang.slice(0, 2).toLowerCase()] || T.fr;
    input.placeholder = ui[0];
    $('label[for=text]').textContent = ui[1];
    $('#send span').textContent = ui[2];
    setStatus(state);
  };
  const typing = (on) => { $('.typing').hidden = !on; if (on && pinned) toBottom(); };

  // ---------- connection ----------
  // Frames wait in `queue` (kept in localStorage) until answered; after a reconnect they go again with the same id.
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
  const drop = () => { // 20 s without an answer: the socket is probably dead, open a fresh one
    const s = ws;
    ws = null;
    if (s) { s.onclose = s.onmessage = s.onopen = null; try { s.close(); } catch (e) { /* already gone */ } }
    retry();
  };
  const retry = () => {
    clearTimeout(watchdog); watchdog = 0; sent = {}; typing(false);
    setStatus('offline'); push.offline();
    if (!timer) timer = setTimeout(connect, Math.min(15000, 500 * 2 ** tries++ * (0.8 + Math.random() * 0.4)));
  };
  const now = () => ws || connect();
  const unanswered = () => Object.keys(sent).length;
  const flush = () => {
    if (!ws || ws.readyState !== 1) return;
    queue.forEach((q) => { if (!sent[q.id]) { ws.send(JSON.stringify(q)); sent[q.id] = 1; } });
    if (unanswered()) { watchdog = watchdog || setTimeout(drop, 20000); typing(true); }
  };
  const confirm = (ids) => {
    ids.forEach((id) => delete sent[id]);
    queue = queue.filter((q) => ids.indexOf(q.id) < 0);
    saveQueue();
    log.querySelectorAll('.pending').forEach((b) => { if (ids.indexOf(b.getAttribute('data-id')) >= 0) b.classList.remove('pending'); });
  };
  const isRepeat = (f) => { // after a reconnect the server re-sends the current prompt: show it once
    const s = JSON.stringify(f);
    if (hist.slice(-5).some((e) => JSON.stringify(e) === s)) return true;
    // ...and its page, whose list may hold what the bot wrote first since (a circle's post
    // came live): a text quoting such a message is not shown again; a question always is.
    const t = f.type === 'say' ? String(f.text || '') : '';
    return !!t && hist.slice(-50).some((e) => e.pushed && e.text && t.indexOf(e.text) >= 0);
  };
  const onFrame = (f) => {
    bridge.frames.forEach((h) => h(f));
    if (push.frame(f)) return; // written first by the bot: see "messages the bot writes first"
    clearTimeout(watchdog); watchdog = 0; typing(false);
    // Optional {"type":"ack","id"}: once seen, only acks confirm; without them any answer confirms what was sent.
    if (f.type === 'ack') { ackMode = true; confirm([f.id]); } else if (!ackMode) confirm(Object.keys(sent));
    if (unanswered()) { watchdog = setTimeout(drop, 20000); typing(true); }
    if (f.type === 'locale') {
      setLocale(f.lang, f.rtl);
      put('locale', JSON.stringify([f.lang, !!f.rtl]));
    } else if (!(resuming && isRepeat(f)) && render(f)) remember(f);
    if (link && (f.type === 'ask' || f.type === 'quiz')) openLink();
  };
  const submit = (frame, shown) => {
    resuming = false;
    frame = Object.assign({ type: frame.type, id: rand(12) }, frame);
    queue.push(frame); saveQueue();
    const e = { type: 'me', text: shown, id: frame.id };
    render(e); remember(e); toBottom();
    flush();
  };

  // ---------- deep link ----------
  // /?start=PAYLOAD (a booklet's /l/<course>/<lesson> redirects here): once the hello is answered,
  // send "/start PAYLOAD" once, through the queue, and drop the parameter from the address bar.
  let link = null;
  try { link = new URLSearchParams(location.search).get('start'); } catch (e) { /* no parameters */ }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(link || '')) link = null;
  const openLink = () => {
    const p = link;
    link = null;
    resuming = false;
    queue.push({ type: 'text', id: rand(12), text: '/start ' + p }); saveQueue();
    flush();
    try {
      const params = new URLSearchParams(location.search);
      params.delete('start');
      const q = params.toString();
      history.replaceState(history.state, '', location.pathname + (q ? '?' + q : '') + location.hash);
    } catch (e) { /* the address bar keeps the parameter */ }
  };

  // ---------- messages the bot writes first (the web inbox: bot/web/push.py) ----------
  // A frame with an "inbox" id is shown once (its id kept), acknowledged with {"type":"received"},
  // and counted in the title while the page is hidden: "(3) Imaginecole" until it is seen again.
  // "bye": the server is stopping; the page says it reconnects, then sends what was not answered.
  const push = (() => {
    const R = { fr: 'Reconnexion…', en: 'Reconnecting…', ar: 'جارٍ إعادة الاتصال…' };
    const title = document.title;
    let seen = list('inbox').filter((i) => typeof i === 'number'), unread = 0, away = false, acks = [], tick = 0;
    const ack = (id) => { // one frame for a burst (what waited at hello): the flood limit counts frames
      acks.push(id);
      tick = tick || setTimeout(() => {
        tick = 0;
        try { ws.send(JSON.stringify({ type: 'received', ids: acks.splice(0, 500) })); } catch (e) { /* sent again at the next hello */ }
      }, 50);
    };
    document.addEventListener('visibilitychange', () => { if (!document.hidden) { unread = 0; document.title = title; } });
    return {
      frame(f) {
        if (f.type === 'bye') { away = true; return true; }
        away = false;
        if (typeof f.inbox !== 'number') return false;
        if (seen.indexOf(f.inbox) < 0) {
          const g = Object.assign({}, f);
          delete g.inbox;
          if (render(g)) remember(Object.assign(g, { pushed: 1 }));
          seen = seen.concat([f.inbox]).slice(-500); put('inbox', JSON.stringify(seen));
          if (document.hidden) document.title = '(' + (++unread) + ') ' + title;
        }
        ack(f.inbox);
        return true;
      },
      offline() {
        if (!away) return;
        statusEl.setAttribute('data-state', 'connecting');
        statusEl.textContent = R[(document.documentElement.lang || 'fr').slice(0, 2)] || R.fr;
      },
    };
  })();
  // ---------- bridge: what send.js (files, lists on several lines, long texts) uses ----------
  // frames: handlers of every frame from the server; socket: the open one, or null.
  const bridge = window.imaginecoleChat = {
    frames: [], submit, history: () => hist, socket: () => (ws && ws.readyState === 1 ? ws : null),
  };
  // ---------- shown, not downloaded; shared screens stay private (webshow) ----------
  // More UI strings: menu, not me, leave, enlarge, close, download, open, expired, PIN, KB, MB
  const W = {
    fr: ['Menu', "Ce n'est pas moi", 'Quitter cet appareil', 'Agrandir l’image', 'Fermer', 'Télécharger',
      'Ouvrir', 'lien expiré : redemandez le fichier', 'Code secret (masqué)', 'Ko', 'Mo'],
    en: ['Menu', 'This is not me', 'Leave this device', 'Enlarge the image', 'Close', 'Download',
      'Open', 'link expired: ask for the file again', 'Secret code (hidden)', 'KB', 'MB'],
    ar: ['القائمة', 'لست أنا', 'مغادرة هذا الجهاز', 'تكبير الصورة', 'إغلاق', 'تنزيل',
      'فتح', 'انتهت صلاحية الرابط: اطلب الملف من جديد', 'رمز سري (مخفي)', 'ك.ب', 'م.ب'],
  };
  const w = (i) => (W[document.documentElement.lang.slice(0, 2)] || W.fr)[i];
  const hushed = new WeakSet(); // queued frames that carry a PIN: never written to localStorage
  const size = (n) => {
    const kb = (n | 0) / 1024, mb = kb >= 1000;
    let v = mb ? kb / 1024 : Math.max(1, Math.round(kb));
    try { v = new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: 1 }).format(v); } catch (e) { /* plain */ }
    return v + ' ' + w(mb ? 10 : 9);
  };
  const download = (url, name, n) => {
    const a = el('a', 'dl', w(5) + (n ? ' (' + size(n) + ')' : ''));
    a.href = url; a.download = name;
    return a;
  };
  // An image as a button that opens the viewer (a modal dialog: Escape, the close button or
  // the phone's back button close it), with a download link below.
  let viewer = null;
  const view = (url, alt, name) => {
    if (!viewer) {
      viewer = document.body.appendChild(el('dialog', 'viewer'));
      const x = viewer.appendChild(button('close', '×'));
      x.onclick = () => viewer.close();
      viewer.appendChild(el('img'));
      viewer.appendChild(el('a', 'dl'));
      viewer.onclick = (ev) => { if (ev.target === viewer) viewer.close(); };
      viewer.onclose = () => { if (history.state && history.state.viewer) history.back(); };
      addEventListener('popstate', () => { if (viewer.open) viewer.close(); });
    }
    const x = viewer.querySelector('.close'), img = viewer.querySelector('img'), a = viewer.querySelector('.dl');
    x.setAttribute('aria-label', w(4));
    viewer.setAttribute('aria-label', alt || name);
    img.src = url; img.alt = alt || name;
    a.href = url; a.download = name; a.textContent = w(5);
    viewer.showModal();
    try { history.pushState({ viewer: 1 }, ''); } catch (e) { /* no history: Escape still closes */ }
  };
  const zoomable = (b, img, url, name, n) => {
    const z = el('button', 'zoom');
    z.type = 'button';
    z.setAttribute('aria-label', w(3) + (img.alt ? ' : ' + img.alt : ''));
    img.replaceWith(z); z.appendChild(img);
    z.onclick = () => view(url, img.alt, name);
    b.appendChild(download(url, name, n));
  };
  const fileCard = (f) => {
    const b = bubble('bot file-msg'), name = f.filename || 'file', url = String(f.url);
    const gone = f.expires && f.expires * 1000 < Date.now();
    if (url.charAt(0) !== '/' || gone) b.appendChild(el('p', 'note', name + ' — ' + w(7)));
    else if (/^image\/(png|jpeg|webp|gif)$/.test(f.mime)) {
      b.classList.add('media');
      const i = b.appendChild(el('img'));
      i.alt = f.caption || name; i.loading = 'lazy'; i.src = url;
      i.onload = () => pinned && toBottom();
      zoomable(b, i, url, name, f.size);
    } else {
      const a = b.appendChild(el('a', 'card'));
      a.href = url; a.target = '_blank'; a.rel = 'noopener';
      a.appendChild(el('span', 'kind', (name.split('.').pop() || '').slice(0, 4).toUpperCase())).setAttribute('aria-hidden', 'true');
      const t = a.appendChild(el('span', 'what'));
      t.appendChild(el('span', 'name', name));
      t.appendChild(el('span', 'size', f.size ? size(f.size) : ''));
      b.appendChild(download(url, name));
    }
    if (f.caption) b.appendChild(para(f.caption, 'caption'));
    add(b);
  };
  // A PIN: the composer becomes a password field; what is typed shows as •••• and the frame
  // is kept in memory only until the server acknowledges it.
  const pin = el('input');
  pin.id = 'secret'; pin.type = 'password'; pin.hidden = true;
  pin.inputMode = 'numeric'; pin.autocomplete = 'off'; pin.maxLength = 12;
  form.insertBefore(pin, input);
  const masked = (on) => {
    pin.hidden = !on; input.hidden = on;
    pin.setAttribute('aria-label', w(8)); pin.placeholder = on ? '••••' : '';
    if (on) pin.focus(); else pin.value = '';
  };
  form.addEventListener('submit', (ev) => {
    if (pin.hidden) return;
    ev.preventDefault(); ev.stopImmediatePropagation();
    const v = pin.value.trim();
    if (!v) return;
    pin.value = '';
    resuming = false;
    const frame = { type: 'text', id: rand(12), text: v };
    hushed.add(frame); queue.push(frame);
    const e = { type: 'me', text: '••••', id: frame.id };
    render(e); remember(e); toBottom();
    flush();
  }, true);
  // The screen and the browser's storage forget the conversation (another learner's turn,
  // an erasure); `forget`: the device forgets the learner too and opens as a new visitor's.
  const wipe = (forget) => {
    log.textContent = ''; hist = []; masked(false);
    put('history', '[]');
    if (!forget) return;
    queue = []; sent = {};
    try {
      Object.keys(localStorage).forEach((k) => { if (k.indexOf('imaginecole.') === 0) localStorage.removeItem(k); });
    } catch (e) { /* nothing kept */ }
    if (ws) { ws.onclose = ws.onmessage = null; try { ws.close(); } catch (e) { /* gone */ } }
    ws = null; clearTimeout(timer); timer = 1; // no reconnection: the page opens afresh
    location.replace(location.pathname);
  };
  // The page's menu: "this is not me" (the screen is cleared at once) and "leave this device".
  const bar = $('.bar'), more = bar.appendChild(el('button', 'more'));
  const menu = bar.appendChild(el('div', 'menu'));
  more.type = 'button'; more.setAttribute('aria-haspopup', 'true'); more.setAttribute('aria-expanded', 'false');
  more.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="5" r="2"/><circle cx="12" cy="12" r="2"/><circle cx="12" cy="19" r="2"/></svg>';
  menu.hidden = true; menu.id = 'more-menu'; more.setAttribute('aria-controls', menu.id);
  const toggle = (open) => { menu.hidden = !open; more.setAttribute('aria-expanded', String(open)); };
  [[1, '/pas_moi'], [2, '/quitter_cet_appareil']].forEach(([i, command]) => {
    const item = menu.appendChild(button('item', ''));
    item.setAttribute('data-i', i);
    item.onclick = () => {
      toggle(false);
      if (i === 1) wipe(false);
      submit({ type: 'text', text: command }, w(i));
    };
  });
  more.onclick = () => toggle(menu.hidden);
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !menu.hidden) { toggle(false); more.focus(); } });
  document.addEventListener('click', (ev) => { if (!menu.hidden && !bar.contains(ev.target)) toggle(false); });
  const label = () => {
    more.setAttribute('aria-label', w(0));
    menu.querySelectorAll('.item').forEach((b) => { b.textContent = w(+b.getAttribute('data-i')); });
    if (!pin.hidden) pin.setAttribute('aria-label', w(8));
  };
  new MutationObserver(label).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  // A resume link (/#reprendre=<key>, given before leaving a device) opens that conversation here.
  const resume = () => {
    const back = /^#reprendre=([\w-]{16,64})$/.exec(location.hash);
    if (!back) return false;
    put('uid', uid = back[1]); hist = []; put('history', '[]'); queue = []; saveQueue();
    try { history.replaceState(null, '', location.pathname + location.search); } catch (e) { /* kept */ }
    return true;
  };
  resume();
  addEventListener('hashchange', () => resume() && location.reload()); // opened in this very tab

  // ---------- input, then start ----------
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
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $('#send').click(); }
  };
  input.oninput = grow;
  feed.addEventListener('scroll', () => { pinned = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 80; }, { passive: true });
  addEventListener('resize', () => pinned && toBottom());
  addEventListener('online', now);
  document.addEventListener('visibilitychange', () => document.hidden || now());
  const L = list('locale');
  setLocale(L[0], L[1]);
  hist.forEach((e) => { try { render(e); } catch (err) { /* skip a damaged entry */ } });
  label(); masked(!!(hist.filter((e) => e.type === 'ask' || e.type === 'quiz' || e.type === 'me').slice(-1)[0] || {}).secret);
  toBottom();
  connect();
})();
