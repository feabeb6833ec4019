// Imaginecole web chat: what a learner sends besides short texts (issue 16): photos (made
// smaller here first), voice notes recorded in the page, documents and course files; lists
// on several lines; texts over the limit refused with a word, never cut. Plain JS, no build.
// Uses the bridge chat.js leaves on window.imaginecoleChat. Files go on the socket in pieces,
// then a {"type":"file"} frame names them (bot/web/uploads.py says why).
(() => {
  'use strict';
  const chat = window.imaginecoleChat;
  if (!chat) return;
  const $ = (s) => document.querySelector(s);
  const form = $('#composer'), input = $('#text'), send = $('#send');
  const MAX_TEXT = 2000; // dialogs/engine.py MAX_TEXT
  const PHOTO_SIDE = 1600, PHOTO_QUALITY = 0.82; // longest side in pixels, JPEG quality
  const VOICE_SECONDS = 120, VOICE_BITS = 32000; // about 480 KB for the longest note
  const FILE_LIMIT = 5 * 1024 * 1024, COURSE_LIMIT = 512 * 1024; // bot/inbound_files.py
  const COURSE = /\.(md|course|gift|txt|aiken)$/i;
  const W = {
    fr: {
      attach: 'Joindre', photo: 'Photo', voice: 'Note vocale', doc: 'Document ou fichier de cours',
      stop: 'Envoyer', cancel: 'Annuler', rec: 'Enregistrement', line: 'Nouvelle ligne',
      lines: 'Un élément par ligne…', long: 'Trop long : {n} caractères, {max} au plus. Raccourcissez ou envoyez en plusieurs messages.',
      sending: 'Envoi du fichier…', failed: "Le fichier n'a pas pu partir. Vérifiez la connexion et réessayez.",
      mic: "Le micro n'est pas disponible : autorisez-le dans le navigateur, ou envoyez un fichier audio.",
      image: 'Cette image ne peut pas être lue ici : envoyez-la comme document.',
      flood: 'Doucement ! Attendez une minute avant de renvoyer un fichier.',
    },
    en: {
      attach: 'Attach', photo: 'Photo', voice: 'Voice note', doc: 'Document or course file',
      stop: 'Send', cancel: 'Cancel', rec: 'Recording', line: 'New line',
      lines: 'One item per line…', long: 'Too long: {n} characters, {max} at most. Shorten it or send several messages.',
      sending: 'Sending the file…', failed: 'The file could not be sent. Check the connection and try again.',
      mic: 'The microphone is not available: allow it in the browser, or send an audio file.',
      image: 'This image cannot be read here: send it as a document.',
      flood: 'Slow down! Wait a minute before sending a file again.',
    },
    ar: {
      attach: 'إرفاق', photo: 'صورة', voice: 'رسالة صوتية', doc: 'مستند أو ملف درس',
      stop: 'إرسال', cancel: 'إلغاء', rec: 'جارٍ التسجيل', line: 'سطر جديد',
      lines: 'عنصر واحد في كل سطر…', long: 'النص طويل جدًا: {n} حرفًا، والحد الأقصى {max}. اختصره أو أرسله في عدة رسائل.',
      sending: 'جارٍ إرسال الملف…', failed: 'تعذّر إرسال الملف. تحقّق من الاتصال وحاول مرة أخرى.',
      mic: 'الميكروفون غير متاح: اسمح به في المتصفح، أو أرسل ملفًا صوتيًا.',
      image: 'لا يمكن قراءة هذه الصورة هنا: أرسلها كمستند.',
      flood: 'مهلًا! انتظر دقيقة قبل إرسال ملف آخر.',
    },
  };
  const w = (k) => (W[(document.documentElement.lang || 'fr').slice(0, 2)] || W.fr)[k];
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  // Icons are drawn, not emoji: a phone without an emoji font shows them too.
  const ICONS = {
    clip: 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z',
    camera: 'M9 3 7.2 5H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
    mic: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9z',
    file: 'M6 2a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm7 1.5L18.5 9H13zM8 13h8v2H8zm0 4h8v2H8z',
    line: 'M19 7v4H5.8l3.6-3.6L8 6l-6 6 6 6 1.4-1.4L5.8 13H21V7z',
    stop: 'M6 6h12v12H6z',
    close: 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z',
  };
  const icon = (name) => {
    const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg'), path = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'ico ico-' + name);
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  };
  const button = (cls, name) => {
    const b = el('button', cls);
    b.type = 'button';
    b.appendChild(icon(name));
    b.appendChild(el('span', 'label'));
    return b;
  };
  const number = (n) => { try { return n.toLocaleString(document.documentElement.lang); } catch (e) { return String(n); } };
  const clock = (s) => Math.floor(s / 60) + ':' + String(Math.floor(s % 60)).padStart(2, '0');

  // ---------- the composer's new parts ----------
  input.removeAttribute('maxlength'); // it cut a paste silently: a long text is refused below instead
  const attach = button('attach', 'clip'), line = button('newline', 'line');
  attach.setAttribute('aria-haspopup', 'true'); attach.setAttribute('aria-expanded', 'false');
  form.insertBefore(attach, input);
  form.insertBefore(line, send);
  line.hidden = true;
  const menu = el('div', 'attach-menu');
  menu.hidden = true;
  const pick = (id, icon) => { const b = button('pick', icon); b.setAttribute('data-pick', id); return menu.appendChild(b); };
  const items = { photo: pick('photo', 'camera'), voice: pick('voice', 'mic'), doc: pick('doc', 'file') };
  const chooser = (accept) => { const f = el('input', 'sr'); f.type = 'file'; f.accept = accept; f.tabIndex = -1; f.setAttribute('aria-hidden', 'true'); return form.appendChild(f); };
  const photoInput = chooser('image/*'), docInput = chooser('.md,.gift,.txt,.aiken,.course,.pdf,.odt,.docx,.png,.jpg,.jpeg,.webp,.ogg,.opus,.mp3,.m4a');
  photoInput.id = 'photo-file'; docInput.id = 'doc-file';
  const note = el('p', 'composer-note');
  note.id = 'composer-note'; note.hidden = true; note.setAttribute('role', 'alert');
  const rec = el('div', 'rec');
  rec.hidden = true;
  const recTime = el('span', 'rec-time'), recLabel = el('span', 'sr');
  rec.append(el('span', 'rec-dot'), recLabel, recTime);
  const recCancel = rec.appendChild(button('rec-cancel', 'close')), recStop = rec.appendChild(button('rec-stop', 'stop'));
  form.parentNode.insertBefore(menu, form);
  form.parentNode.insertBefore(note, form);
  form.insertBefore(rec, input);
  const words = () => {
    attach.setAttribute('aria-label', w('attach')); attach.title = w('attach');
    line.querySelector('.label').textContent = w('line'); line.title = w('line');
    items.photo.querySelector('.label').textContent = w('photo');
    items.voice.querySelector('.label').textContent = w('voice');
    items.doc.querySelector('.label').textContent = w('doc');
    recCancel.setAttribute('aria-label', w('cancel')); recCancel.title = w('cancel');
    recStop.querySelector('.label').textContent = w('stop');
    recLabel.textContent = w('rec');
    if (!line.hidden) { plain = input.placeholder === w('lines') ? plain : input.placeholder; input.placeholder = w('lines'); }
    checkLength();
  };
  // One note above the composer: a text over the limit first, else how a file is doing.
  let longWords = '', fileWords = '';
  const shown = () => {
    note.textContent = longWords || fileWords; note.hidden = !note.textContent;
    note.classList.toggle('bad', !!longWords);
  };
  const say = (text) => { fileWords = text; shown(); };

  // ---------- lists on several lines: the bot's Ask says "lines" ----------
  let plain = input.placeholder; // chat.js's own placeholder, given back after a list
  const linesFor = (f) => {
    if (f.type !== 'ask' && f.type !== 'quiz') return;
    if (f.lines && line.hidden) plain = input.placeholder;
    if (!f.lines && !line.hidden) input.placeholder = plain;
    line.hidden = !f.lines;
    form.classList.toggle('lines', !!f.lines);
    if (f.lines) input.placeholder = w('lines');
  };
  line.onmousedown = (ev) => ev.preventDefault(); // keep the keyboard open on phones
  line.onclick = () => {
    const a = input.selectionStart, b = input.selectionEnd, v = input.value;
    input.value = v.slice(0, a) + '\n' + v.slice(b);
    input.selectionStart = input.selectionEnd = a + 1;
    input.dispatchEvent(new Event('input'));
    input.focus();
  };

  // ---------- texts over the limit: refused here, with a word; nothing is cut ----------
  let tooLong = false;
  const checkLength = () => {
    const n = input.value.trim().length;
    tooLong = n > MAX_TEXT;
    input.setAttribute('aria-invalid', tooLong ? 'true' : 'false');
    if (tooLong) input.setAttribute('aria-describedby', note.id); else input.removeAttribute('aria-describedby');
    form.classList.toggle('too-long', tooLong);
    longWords = tooLong ? w('long').replace('{n}', number(n)).replace('{max}', number(MAX_TEXT)) : '';
    shown();
  };
  input.addEventListener('input', () => { if (!busy) fileWords = ''; checkLength(); });
  // Before chat.js's own submit (capture on the document runs first): a long text stays in the box.
  document.addEventListener('submit', (ev) => {
    if (ev.target !== form) return;
    checkLength();
    if (tooLong) { ev.preventDefault(); ev.stopPropagation(); input.focus(); }
  }, true);

  // ---------- the attach menu ----------
  const openMenu = (on) => { menu.hidden = !on; attach.setAttribute('aria-expanded', on ? 'true' : 'false'); if (on) items.photo.focus(); };
  attach.onclick = () => openMenu(menu.hidden);
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !menu.hidden) { openMenu(false); attach.focus(); } });
  document.addEventListener('click', (ev) => { if (!menu.hidden && !menu.contains(ev.target) && !attach.contains(ev.target)) openMenu(false); });
  items.photo.onclick = () => { openMenu(false); photoInput.click(); };
  items.doc.onclick = () => { openMenu(false); docInput.click(); };
  items.voice.onclick = () => { openMenu(false); record(); };
  photoInput.onchange = () => { const f = photoInput.files[0]; photoInput.value = ''; if (f) sendPhoto(f); };
  docInput.onchange = () => {
    const f = docInput.files[0]; docInput.value = '';
    if (f) sendFile(f, /^audio\//.test(f.type) ? 'audio' : 'document', f.name, f.name);
  };

  // ---------- sending a file: announced, sent in pieces on the socket, then named ----------
  // {"type":"upload"} says what comes; the server answers "chunk" (send it), or a code
  // (refused before a byte travels); after the last piece it answers the kept file's id.
  const frame = (fields, shown) => chat.submit(Object.assign({ type: 'file' }, fields), shown);
  const waiting = {}; // upload id -> the handler of the server's next answer about it
  const answer = (id, ms) => new Promise((done) => {
    const timer = setTimeout(() => { delete waiting[id]; done({ code: 'lost' }); }, ms);
    waiting[id] = (f) => { clearTimeout(timer); delete waiting[id]; done(f); };
  });
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  let busy = false;
  const sendFile = async (blob, kind, name, shown) => {
    if (busy) return;
    const fields = { kind, name, mime: blob.type || '', size: blob.size };
    const limit = kind === 'document' && COURSE.test(name) ? COURSE_LIMIT : FILE_LIMIT;
    if (blob.size > limit) return frame(fields, shown); // not sent: the bot says it is too large, in its words
    let ws = chat.socket();
    if (!ws) return say(w('failed'));
    busy = true; form.classList.add('busy'); say(w('sending'));
    try {
      const id = 'u' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
      let reply = answer(id, 20000);
      ws.send(JSON.stringify(Object.assign({ type: 'upload', upload: id }, fields)));
      let r = await reply;
      if (r.chunk) {
        const bytes = new Uint8Array(await blob.arrayBuffer());
        reply = answer(id, 60000 + bytes.length / 10); // 10 KB/s at worst
        for (let at = 0; at < bytes.length; at += r.chunk) {
          if (ws !== chat.socket()) { ws = null; break; } // the socket went: its pieces are lost
          while (ws.bufferedAmount > 4 * r.chunk) await pause(50);
          ws.send(bytes.subarray(at, at + r.chunk));
          say(w('sending') + ' ' + Math.round(100 * Math.min(at + r.chunk, bytes.length) / bytes.length) + ' %');
        }
        r = ws ? await reply : { code: 'lost' };
      }
      if (r.file) frame(Object.assign(fields, { file: r.file, name: r.name || name, mime: r.mime || fields.mime, size: r.size }), shown);
      else if (r.code === 'not_here' || r.code === 'too_large') frame(fields, shown); // the step answers in its words
      else if (r.code === 'type') frame(Object.assign(fields, { kind: 'other' }), shown);
      else { say(w(r.code === 'busy' ? 'flood' : 'failed')); return; }
      say('');
    } catch (e) {
      say(w('failed'));
    } finally {
      busy = false; form.classList.remove('busy');
    }
  };

  // ---------- photos: made smaller here (longest side 1600 px, JPEG) before they travel ----------
  const sendPhoto = async (file) => {
    let blob = null, name = (file.name || 'photo').replace(/\.[^.]*$/, '') + '.jpg';
    try {
      const img = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const k = Math.min(1, PHOTO_SIDE / Math.max(img.width, img.height));
      const c = el('canvas');
      c.width = Math.max(1, Math.round(img.width * k)); c.height = Math.max(1, Math.round(img.height * k));
      const g = c.getContext('2d');
      g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height); // a transparent PNG gets a white ground
      g.drawImage(img, 0, 0, c.width, c.height);
      if (img.close) img.close();
      blob = await new Promise((done) => c.toBlob(done, 'image/jpeg', PHOTO_QUALITY));
    } catch (e) { blob = null; }
    if (!blob && /^image\/(jpeg|png|webp)$/.test(file.type) && file.size <= FILE_LIMIT) { blob = file; name = file.name; }
    if (!blob) return say(w('image'));
    sendFile(blob, 'photo', name, w('photo'));
  };

  // ---------- voice notes: recorded here, at most two minutes ----------
  const FORMATS = [ // what the chat keeps as a voice or audio step (content/format_lesson.py)
    ['audio/ogg;codecs=opus', 'voice', '.ogg'],
    ['audio/mp4;codecs=mp4a.40.2', 'audio', '.m4a'],
    ['audio/mp4', 'audio', '.m4a'],
    ['audio/webm;codecs=opus', 'voice', '.webm'],
  ];
  let recorder = null, stream = null, started = 0, ticker = 0, keep = false;
  const endRecording = () => {
    clearInterval(ticker); ticker = 0;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    rec.hidden = true; form.classList.remove('recording');
    input.focus();
  };
  const record = async () => {
    if (recorder || busy) return;
    const format = window.MediaRecorder && FORMATS.find((f) => MediaRecorder.isTypeSupported(f[0]));
    if (!format || !navigator.mediaDevices) return say(w('mic'));
    try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); } catch (e) { return say(w('mic')); }
    const parts = [];
    let size = 0;
    recorder = new MediaRecorder(stream, { mimeType: format[0], audioBitsPerSecond: VOICE_BITS });
    recorder.ondataavailable = (ev) => {
      if (!ev.data || !ev.data.size) return;
      parts.push(ev.data); size += ev.data.size;
      if (size > FILE_LIMIT && recorder && recorder.state === 'recording') { keep = true; recorder.stop(); }
    };
    recorder.onstop = () => {
      const seconds = (Date.now() - started) / 1000, r = recorder;
      recorder = null; endRecording();
      if (!keep || !parts.length) return;
      const blob = new Blob(parts, { type: r.mimeType || format[0] });
      sendFile(blob, format[1], 'note-vocale' + format[2], w('voice') + ' · ' + clock(seconds));
    };
    keep = false; started = Date.now();
    recorder.start(1000);
    rec.hidden = false; form.classList.add('recording');
    const tick = () => {
      const s = (Date.now() - started) / 1000;
      recTime.textContent = clock(s) + ' / ' + clock(VOICE_SECONDS);
      if (s >= VOICE_SECONDS && recorder && recorder.state === 'recording') { keep = true; recorder.stop(); }
    };
    tick(); ticker = setInterval(tick, 250);
    recStop.focus();
  };
  recStop.onclick = () => { if (recorder && recorder.state === 'recording') { keep = true; recorder.stop(); } };
  recCancel.onclick = () => { if (recorder && recorder.state === 'recording') { keep = false; recorder.stop(); } else endRecording(); };

  // ---------- start: words in the page's language, the list mode of the last question ----------
  chat.frames.push((f) => {
    if (f.type === 'locale') setTimeout(words, 0);
    else if (f.type === 'upload' && waiting[f.upload]) waiting[f.upload](f);
    else linesFor(f);
  });
  const last = chat.history().filter((f) => f.type === 'ask' || f.type === 'quiz').pop();
  if (last) linesFor(last);
  words();
})();
