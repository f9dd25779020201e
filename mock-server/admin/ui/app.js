// DCR Mock Bank dashboard. Vanilla JS, no dependencies, no build step.
// Everything shown comes from the journal and the client store, which hold attacker-controlled
// input: it is only ever written as text (textContent, text nodes, setAttribute of plain
// attributes), never as HTML. The page's Content-Security-Policy forbids inline code as well.
(() => {
  'use strict';

  const API = '/__admin';
  const POLL_MS = 1500;
  const $ = (id) => document.getElementById(id);

  /** createElement with props (class, text, on*, attributes) and children (nodes or text). */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = String(v);
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    return put(el, ...children);
  }
  /** Appends children (nested arrays flattened; null, undefined and false left out) as nodes or text. */
  function put(el, ...children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const clear = (el) => { el.replaceChildren(); return el; };

  async function api(path, opts = {}) {
    const init = { method: opts.method || 'GET', headers: { accept: 'application/json' }, cache: 'no-store' };
    if (opts.body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    const res = await fetch(API + path, init);
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    if (!res.ok) {
      const e = new Error((json && (json.error_description || json.error)) || `HTTP ${res.status}`);
      e.status = res.status;
      throw e;
    }
    return { json, text };
  }

  // ---- formatting ----------------------------------------------------------------------------

  const pad = (n, w = 2) => String(n).padStart(w, '0');
  function clock(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  function statusEl(status) {
    const s = Number(status);
    return h('span', { class: `st s${Math.floor(s / 100)}`, 'data-testid': 'status-code' }, s === 0 ? 'dropped' : String(s));
  }
  const LONG = 240;

  /** A JSON value as coloured text; long strings folded behind a button. */
  function json(value) {
    const pre = h('pre', { class: 'json' });
    const walk = (v, indent) => {
      const out = [];
      const ind = '  '.repeat(indent);
      if (Array.isArray(v)) {
        if (!v.length) return ['[]'];
        out.push('[\n');
        v.forEach((x, i) => { out.push(ind + '  ', ...walk(x, indent + 1), i < v.length - 1 ? ',\n' : '\n'); });
        out.push(ind + ']');
        return out;
      }
      if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        if (!keys.length) return ['{}'];
        out.push('{\n');
        keys.forEach((k, i) => {
          out.push(ind + '  ', h('span', { class: 'j-k' }, JSON.stringify(k)), ': ', ...walk(v[k], indent + 1), i < keys.length - 1 ? ',\n' : '\n');
        });
        out.push(ind + '}');
        return out;
      }
      if (typeof v === 'string') {
        const full = JSON.stringify(v);
        if (full.length <= LONG) return [h('span', { class: 'j-s' }, full)];
        const span = h('span', { class: 'j-s' }, full.slice(0, LONG) + '…');
        const more = h('button', { class: 'more', type: 'button', text: `+${full.length - LONG}` });
        more.addEventListener('click', () => { span.textContent = full; more.remove(); });
        return [span, more];
      }
      if (typeof v === 'number') return [h('span', { class: 'j-n' }, String(v))];
      if (typeof v === 'boolean' || v === null) return [h('span', { class: 'j-b' }, String(v))];
      return [String(v)];
    };
    pre.append(...walk(value, 0));
    return pre;
  }

  function kv(pairs) {
    const dl = h('dl', { class: 'kv' });
    for (const [k, v] of pairs) {
      if (v === undefined || v === null || v === '') continue;
      dl.append(h('dt', null, k), h('dd', null, typeof v === 'object' && !(v instanceof Node) ? JSON.stringify(v) : v));
    }
    return dl;
  }

  /** The header and claims of a compact JWS, decoded in the page (never verified). */
  function decodeJws(compact) {
    if (typeof compact !== 'string') return undefined;
    const parts = compact.split('.');
    if (parts.length !== 3) return undefined;
    const part = (p) => {
      const b64 = p.replace(/-/g, '+').replace(/_/g, '/');
      const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    };
    try { return { header: part(parts[0]), claims: part(parts[1]) }; } catch { return undefined; }
  }

  // ---- state -----------------------------------------------------------------------------------

  const state = {
    tab: 'journal',
    rules: {},
    profile: undefined,
    journal: [],
    journalText: '',
    journalKey: undefined,
    clients: [],
    clientsText: '',
    clientId: undefined,
    outbox: [],
    outboxText: '',
    outboxId: undefined,
    faults: undefined,
    faultsText: '',
    hidePassed: false,
  };

  // Not the index: the journal drops its oldest entries when full.
  const entryKey = (e) => `${e.time}|${e.interaction_id}|${e.method}|${e.path}|${e.status}`;
  const ruleTitle = (id) => (state.rules[id] ? state.rules[id].title : '');

  // ---- journal ---------------------------------------------------------------------------------

  function journalFilter() {
    const path = $('f-path').value.trim().toLowerCase();
    const status = $('f-status').value;
    const rule = $('f-rule').value.trim().toUpperCase();
    const code = $('f-code').value.trim();
    return (e) => {
      if (path && !String(e.path).toLowerCase().includes(path)) return false;
      if (status === 'refused' && !(e.status === 0 || e.status >= 400)) return false;
      if (status && status !== 'refused' && String(Math.floor(e.status / 100)) !== status) return false;
      if (code && String(e.status) !== code) return false;
      if (rule) {
        // The rule that refused it, or any rule that failed or was skipped there.
        const failing = e.rule && String(e.rule).toUpperCase().includes(rule);
        const other = (e.rules || []).some((c) => c.verdict !== 'pass' && String(c.rule).toUpperCase().includes(rule));
        if (!failing && !other) return false;
      }
      return true;
    };
  }

  function renderJournal() {
    const body = clear($('journal-body'));
    const keep = journalFilter();
    const rows = state.journal.map((e) => [e, entryKey(e)]).filter(([e]) => keep(e)).reverse();
    $('journal-empty').hidden = rows.length > 0;
    $('journal-shown').textContent = `${rows.length} of ${state.journal.length}`;
    for (const [e, key] of rows) {
      const tags = [];
      if (e.rule) tags.push(h('span', { class: 'chip fail', 'data-testid': 'row-rule' }, e.rule));
      for (const f of e.faults || []) tags.push(h('span', { class: 'chip fault', 'data-testid': 'row-fault' }, `${f.id} ${f.kind}`));
      const tr = h('tr', { class: `row${key === state.journalKey ? ' selected' : ''}`, 'data-testid': 'journal-row', 'data-status': e.status, 'data-path': e.path },
        h('td', { class: 'mono muted nowrap' }, clock(e.time)),
        h('td', { class: 'mono' }, `${e.method} ${e.path}`),
        h('td', null, statusEl(e.status)),
        h('td', null, tags));
      tr.addEventListener('click', () => { state.journalKey = key; renderJournal(); renderJournalDetail(true); });
      body.append(tr);
    }
  }

  /** Where the answer says why: error_description, a tppMessages text, or any string naming the rule. */
  function describeRefusal(e) {
    if (typeof e.error_description === 'string') return e.error_description;
    const a = e.answer;
    if (a && typeof a.error_description === 'string') return a.error_description;
    let found;
    const walk = (v) => {
      if (found) return;
      if (typeof v === 'string' && e.rule && v.startsWith(`${e.rule}:`)) found = v;
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(a);
    return found;
  }

  function whyBox(e) {
    const faults = e.faults || [];
    const answeredBy = faults.find((f) => f.kind === 'status' || f.kind === 'drop');
    const delayed = faults.filter((f) => f.kind === 'delay');
    const out = [];
    if (answeredBy) {
      out.push(h('div', { class: 'why faulted', 'data-testid': 'why-fault' },
        h('div', { class: 'big' }, answeredBy.kind === 'drop'
          ? `Connection dropped by fault ${answeredBy.id}: the bank did not answer.`
          : `Answered ${e.status} by fault ${answeredBy.id}: the bank did not handle this request.`),
        h('div', { class: 'muted' }, 'Injected through POST /__admin/faults (Faults tab).')));
    }
    for (const d of delayed) out.push(h('div', { class: 'why faulted' }, `Delayed ${d.ms ?? '?'} ms by fault ${d.id}.`));
    const mail = state.outbox.find((m) => m.ref && m.ref === e.interaction_id);
    if (mail && !e.rule) {
      // A deferred profile: acknowledged at once, checked afterwards, the result emailed.
      const texts = [];
      const walk = (v) => {
        if (typeof v === 'string' && /^[A-Z0-9-]+: /.test(v)) texts.push(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(mail.result);
      const rule = texts.length ? texts[0].split(':')[0] : undefined;
      out.push(h('div', { class: `why ${rule ? 'refused' : 'accepted'}`, 'data-testid': 'why-deferred' },
        h('div', { class: 'big' }, `Acknowledged ${e.status}; checked afterwards and emailed to ${mail.to}: ${mail.subject}`),
        rule ? h('div', null, 'First failing rule ', h('span', { class: 'rule-id', 'data-testid': 'failing-rule' }, rule), ' ', h('span', { class: 'rule-title' }, ruleTitle(rule))) : null,
        texts.map((t) => h('div', { class: 'desc' }, t))));
      return out;
    }
    if (e.rule) {
      const desc = describeRefusal(e);
      out.push(h('div', { class: 'why refused', 'data-testid': 'why-refused' },
        h('div', null, 'Refused by rule ', h('span', { class: 'rule-id', 'data-testid': 'failing-rule' }, e.rule)),
        h('div', { class: 'rule-title', 'data-testid': 'failing-rule-title' }, ruleTitle(e.rule) || '(not in the catalogue)'),
        desc ? h('div', { class: 'desc', 'data-testid': 'error-description' }, desc) : null));
    } else if (!answeredBy && e.status >= 200 && e.status < 400) {
      const n = (e.rules || []).filter((c) => c.verdict === 'pass').length;
      const skipped = (e.rules || []).filter((c) => c.verdict === 'skipped').length;
      out.push(h('div', { class: 'why accepted', 'data-testid': 'why-accepted' },
        h('span', { class: 'big' }, `Answered ${e.status}.`),
        n ? ` ${n} rules passed${skipped ? `, ${skipped} skipped` : ''}.` : ''));
    } else if (!answeredBy && e.status >= 400) {
      const desc = describeRefusal(e);
      out.push(h('div', { class: 'why refused' }, h('span', { class: 'big' }, `Answered ${e.status}`), desc ? h('div', { class: 'desc' }, desc) : null));
    }
    return out;
  }

  function rulesTable(e) {
    const checks = e.rules || [];
    if (!checks.length) {
      const deferred = state.profile && state.profile.profile && state.profile.profile.registration && state.profile.profile.registration.deferred;
      return [h('p', { class: 'muted' }, deferred && e.status < 400
        ? 'This profile checks registrations after answering: the result, with every failed rule, is in the Outbox.'
        : 'No rule was checked (not a registration, or refused before any rule ran).')];
    }
    const firstFail = e.rule;
    const tbody = h('tbody');
    checks.forEach((c, i) => {
      const note = c.verdict === 'skipped' ? (c.fault ? `switched off by fault ${c.fault}` : 'not enforced (profile or MOCK_FAULTS)') : c.fault ? `switched on by fault ${c.fault}` : '';
      tbody.append(h('tr', { class: `${c.verdict}${c.rule === firstFail && c.verdict === 'fail' ? ' first' : ''}`, 'data-testid': 'rule-row', 'data-rule': c.rule, 'data-verdict': c.verdict },
        h('td', { class: 'muted' }, String(i + 1)),
        h('td', { class: 'mono' }, c.rule),
        h('td', null, ruleTitle(c.rule), note ? h('div', { class: 'muted' }, note) : null),
        h('td', null, h('span', { class: `v ${c.verdict}` }, c.verdict === 'fail' && c.rule === firstFail ? 'FAIL (refused)' : c.verdict.toUpperCase()))));
    });
    const fails = checks.filter((c) => c.verdict === 'fail').length;
    const table = h('table', { class: `rules${state.hidePassed ? ' hide-pass' : ''}`, 'data-testid': 'rules-table' }, h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'rule'), h('th', null, 'title'), h('th', null, 'verdict'))), tbody);
    const toggle = h('input', { type: 'checkbox', 'data-testid': 'hide-passed', checked: state.hidePassed });
    toggle.addEventListener('change', () => { state.hidePassed = toggle.checked; table.classList.toggle('hide-pass', toggle.checked); });
    return [
      h('p', { class: 'muted' }, `${checks.length} rules, in the order they ran: ${checks.filter((c) => c.verdict === 'pass').length} passed, ${fails} failed, ${checks.filter((c) => c.verdict === 'skipped').length} skipped.`,
        h('label', { class: 'inline-check' }, toggle, 'only failed and skipped')),
      table,
    ];
  }

  function requestBlocks(request) {
    if (!request) return [h('p', { class: 'muted' }, 'No body was recorded (none sent, or not read before the answer).')];
    const out = [];
    if (request.authorization) out.push(kv([['Authorization', request.authorization]]));
    const jwt = request.jwt;
    if (jwt && typeof jwt === 'object') {
      const claims = jwt.claims && typeof jwt.claims === 'object' ? { ...jwt.claims } : jwt.claims;
      const ssa = claims && typeof claims.software_statement === 'object' ? claims.software_statement : undefined;
      if (ssa) claims.software_statement = '(decoded below)';
      out.push(h('h3', null, 'Request JWT header'), json(jwt.header), h('h3', null, 'Request JWT claims'), json(claims));
      if (ssa) out.push(h('h3', null, 'Software statement (SSA) header'), json(ssa.header), h('h3', null, 'Software statement claims'), json(ssa.claims));
    } else if (jwt !== undefined) {
      out.push(h('h3', null, 'Body'), json(jwt));
    }
    if (request.form) out.push(h('h3', null, 'Form'), json(request.form));
    return out;
  }

  function renderJournalDetail(force) {
    const box = $('journal-detail');
    const i = state.journal.findIndex((e) => entryKey(e) === state.journalKey);
    if (i < 0) {
      if (state.journalKey !== undefined) { state.journalKey = undefined; box.dataset.key = ''; put(clear(box), h('p', { class: 'hint' }, 'That request left the journal.')); }
      return;
    }
    if (!force && box.dataset.key === state.journalKey) return;
    box.dataset.key = state.journalKey;
    const e = state.journal[i];
    put(clear(box), 
      h('h2', null, h('span', { class: 'mono' }, `${e.method} ${e.path} `), statusEl(e.status)),
      whyBox(e),
      kv([['time', e.time], ['x-fapi-interaction-id', e.interaction_id], ['faults', (e.faults || []).map((f) => `${f.id} (${f.kind}${f.rule ? ` ${f.rule}` : ''}${f.ms !== undefined ? ` ${f.ms} ms` : ''})`).join(', ')]]),
      h('h3', null, 'Rules checked'),
      rulesTable(e),
      h('h3', null, 'Request'),
      requestBlocks(e.request),
      h('h3', null, 'Answer'),
      e.answer !== undefined ? json(e.answer) : h('p', { class: 'muted' }, e.status === 0 ? 'None: the connection was dropped.' : 'No JSON body (empty, or not JSON).'),
      ...redactedBlock(e.redacted),
    );
  }

  // What the journal removed before keeping the exchange: secrets, private key members, signatures, credentials.
  function redactedBlock(paths) {
    if (!Array.isArray(paths) || paths.length === 0) return [];
    return [
      h('h3', null, 'Redacted'),
      h('p', { class: 'muted' }, 'Removed before the exchange was kept (shown as [redacted]; a JWS is shown decoded, without its signature):'),
      h('ul', { 'data-testid': 'journal-redacted' }, ...paths.map((p) => h('li', { class: 'mono' }, String(p)))),
    ];
  }

  // ---- clients ---------------------------------------------------------------------------------

  function clientText(c) {
    const ssa = c.ssa || {};
    return [c.client_id, c.metadata && c.metadata.software_id, ssa.software_client_name, ssa.org_name, ssa.org_id, ...((c.metadata && c.metadata.redirect_uris) || [])]
      .filter(Boolean).join(' ').toLowerCase();
  }

  function renderClients() {
    const q = $('client-search').value.trim().toLowerCase();
    const rows = state.clients.filter((c) => !q || clientText(c).includes(q));
    const body = clear($('clients-body'));
    $('clients-empty').hidden = rows.length > 0;
    $('clients-empty').textContent = state.clients.length ? 'No client matches the search.' : 'No clients registered yet.';
    $('clients-shown').textContent = `${rows.length} of ${state.clients.length}`;
    for (const c of rows) {
      const ssa = c.ssa || {};
      const tr = h('tr', { class: `row${c.client_id === state.clientId ? ' selected' : ''}`, 'data-testid': 'client-row', 'data-client-id': c.client_id },
        h('td', { class: 'mono' }, c.client_id),
        h('td', null, ssa.software_client_name || '', h('div', { class: 'mono muted' }, (c.metadata && c.metadata.software_id) || '')),
        h('td', { class: 'mono' }, (c.metadata && c.metadata.token_endpoint_auth_method) || ''),
        h('td', { class: 'mono muted nowrap' }, c.client_id_issued_at ? clock(new Date(c.client_id_issued_at * 1000).toISOString()).slice(0, 8) : ''));
      tr.addEventListener('click', () => { state.clientId = c.client_id; renderClients(); renderClientDetail(true); });
      body.append(tr);
    }
  }

  function renderClientDetail(force) {
    const box = $('client-detail');
    const c = state.clients.find((x) => x.client_id === state.clientId);
    if (!c) {
      if (state.clientId !== undefined) { state.clientId = undefined; box.dataset.key = ''; put(clear(box), h('p', { class: 'hint' }, 'That client is gone.')); }
      return;
    }
    if (!force && box.dataset.key === c.client_id) return;
    box.dataset.key = c.client_id;
    const m = c.metadata || {};
    const decoded = decodeJws(m.software_statement);
    const del = h('button', { class: 'danger', type: 'button', 'data-testid': 'client-delete' }, 'Delete client');
    del.addEventListener('click', async () => {
      if (!del.classList.contains('armed')) { del.classList.add('armed'); del.textContent = 'Click again to delete (tokens revoked)'; return; }
      try {
        await api(`/clients/${encodeURIComponent(c.client_id)}`, { method: 'DELETE' });
        state.clientId = undefined;
        put(clear(box), h('p', { class: 'hint' }, `Deleted ${c.client_id}.`));
        await refresh('clients');
      } catch (err) {
        del.textContent = `Delete failed: ${err.message}`;
      }
    });
    const metadata = { ...m };
    if (metadata.software_statement) metadata.software_statement = '(decoded below)';
    put(clear(box), 
      h('h2', { class: 'mono' }, c.client_id),
      kv([
        ['software', (c.ssa && c.ssa.software_client_name) || ''],
        ['organisation', [(c.ssa && c.ssa.org_name) || '', (c.ssa && c.ssa.org_id) || ''].filter(Boolean).join(' · ')],
        ['profile', c.profile],
        ['issued at', c.client_id_issued_at ? new Date(c.client_id_issued_at * 1000).toISOString() : ''],
        ['client secret', c.has_client_secret ? 'issued (not shown: GET /__admin/clients/{id}/credentials)' : 'none'],
        ['software JWKS', c.software_jwks_endpoint],
      ]),
      h('div', { class: 'toolbar mt' }, del),
      h('h3', null, 'Registered metadata'), json(metadata),
      h('h3', null, 'Registration request claims'), c.request_claims ? json(c.request_claims) : h('p', { class: 'muted' }, 'Not kept.'),
      h('h3', null, 'Software statement (SSA) header'), decoded ? json(decoded.header) : h('p', { class: 'muted' }, 'None.'),
      h('h3', null, 'Software statement claims'), json(c.ssa || {}),
    );
  }

  // ---- outbox ----------------------------------------------------------------------------------

  function renderOutbox() {
    const body = clear($('outbox-body'));
    const rows = [...state.outbox].reverse();
    $('outbox-empty').hidden = rows.length > 0;
    const p = state.profile;
    $('outbox-note').textContent = p && p.profile && p.profile.registration && p.profile.registration.deferred
      ? `This bank (${p.name}) acknowledges a registration at once and emails its result: each result is kept here${state.outboxSmtp ? ` (SMTP ${state.outboxSmtp})` : ''}.`
      : `The outbox holds the emailed results of the email-deferred profile; this bank (${p ? p.name : '…'}) answers registrations at once.`;
    for (const m of rows) {
      const tr = h('tr', { class: `row${m.id === state.outboxId ? ' selected' : ''}`, 'data-testid': 'outbox-row' },
        h('td', { class: 'mono muted nowrap' }, clock(m.time)),
        h('td', { class: 'mono' }, m.to),
        h('td', null, m.subject),
        h('td', null, m.delivery ? m.delivery.status : ''));
      tr.addEventListener('click', () => { state.outboxId = m.id; renderOutbox(); renderOutboxDetail(); });
      body.append(tr);
    }
  }

  function renderOutboxDetail() {
    const box = $('outbox-detail');
    const m = state.outbox.find((x) => x.id === state.outboxId);
    if (!m) return;
    const ref = m.ref ? h('button', { type: 'button' }, `Show request ${m.ref} in the journal`) : null;
    if (ref) ref.addEventListener('click', () => {
      const i = state.journal.findIndex((e) => e.interaction_id === m.ref);
      if (i >= 0) state.journalKey = entryKey(state.journal[i]);
      $('f-path').value = ''; $('f-status').value = ''; $('f-rule').value = ''; $('f-code').value = '';
      location.hash = '#journal';
    });
    put(clear(box), 
      h('h2', null, m.subject),
      kv([['to', m.to], ['from', m.from], ['time', m.time], ['reference', m.ref], ['delivery', m.delivery ? `${m.delivery.status}${m.delivery.error ? `: ${m.delivery.error}` : ''}` : '']]),
      ref ? h('div', { class: 'toolbar mt' }, ref) : null,
      h('h3', null, 'Result'), json(m.result),
    );
  }

  // ---- faults ----------------------------------------------------------------------------------

  function faultEffect(f) {
    if (f.kind === 'delay') return `wait ${f.ms} ms`;
    if (f.kind === 'status') return `answer ${f.status}${f.body !== undefined ? ' with its body' : ''}`;
    if (f.kind === 'drop') return 'destroy the connection';
    return f.enabled ? 'enforced' : 'not enforced';
  }

  function renderFaults() {
    const data = state.faults;
    if (!data) return;
    const body = clear($('faults-body'));
    $('faults-empty').hidden = data.faults.length > 0;
    for (const f of data.faults) {
      const rm = h('button', { type: 'button', class: 'danger', 'data-testid': 'fault-remove' }, 'Remove');
      rm.addEventListener('click', async () => {
        try { await api(`/faults/${encodeURIComponent(f.id)}`, { method: 'DELETE' }); } catch (err) { showFaultMsg(err.message, true); }
        await refresh('faults');
      });
      body.append(h('tr', { 'data-testid': 'fault-row', 'data-fault-id': f.id, 'data-kind': f.kind },
        h('td', { class: 'mono' }, f.id),
        h('td', null, f.kind),
        h('td', { class: 'mono' }, f.kind === 'rule' ? f.rule : `${f.method} ${f.path}`, f.kind === 'rule' ? h('div', { class: 'muted' }, f.title || '') : null),
        h('td', null, faultEffect(f)),
        h('td', { class: 'mono', 'data-testid': 'fault-remaining' }, f.kind === 'rule' ? '' : f.remaining === null ? '∞' : String(f.remaining)),
        h('td', { class: 'mono' }, String(f.hits)),
        h('td', null, rm)));
    }
    const s = data.startup || {};
    const chips = (ids, cls) => (ids && ids.length ? ids.map((id) => h('span', { class: `chip ${cls}`, title: ruleTitle(id) }, id)) : h('span', { class: 'muted' }, 'none'));
    put(clear($('faults-startup')), 
      h('h2', null, 'Rules not enforced'),
      kv([
        ['MOCK_FAULTS (start-up)', h('span', null, chips(s.mock_faults, 'fault'))],
        ['deferred by the profile', h('span', null, chips(s.profile_skips, 'skip'))],
        ['skipped now', h('span', { 'data-testid': 'skipped-now' }, chips(data.skipped_now, 'skip'))],
      ]),
      h('p', { class: 'muted' }, `Clearing the faults gives back the start-up set. Read at start-up only (set them with MOCK_FAULTS): ${(data.limits && data.limits.startup_only_rules || []).join(', ')}.`),
    );
  }

  function showFaultMsg(text, error) {
    const el = $('fault-msg');
    el.textContent = text;
    el.className = `msg ${error ? 'error' : 'ok'}`;
  }

  function syncFaultForm() {
    const kind = $('fault-kind').value;
    for (const el of document.querySelectorAll('#fault-form [data-for]')) el.hidden = !el.dataset.for.split(' ').includes(kind);
    $('fault-hint').textContent = {
      status: 'The next N matching requests get this answer; the bank does not handle them.',
      delay: 'Matching requests wait this long, then are handled (empty N: every one).',
      drop: 'The next N matching requests have their connection destroyed, unanswered.',
      rule: 'The same as MOCK_FAULTS for this rule, while the mock runs.',
    }[kind];
    if (kind === 'delay' && $('fault-times').value === '1') $('fault-times').value = '';
    if (kind !== 'delay' && $('fault-times').value === '') $('fault-times').value = '1';
  }

  function faultFromForm() {
    const kind = $('fault-kind').value;
    if (kind === 'rule') return { kind, rule: $('fault-rule').value, enabled: $('fault-enabled').value === 'true' };
    const f = { kind, method: $('fault-method').value, path: $('fault-path').value.trim() };
    const times = $('fault-times').value.trim();
    if (times) f.times = Number(times);
    if (kind === 'delay') f.ms = Number($('fault-ms').value);
    if (kind === 'status') {
      f.status = Number($('fault-status').value);
      const text = $('fault-body').value.trim();
      if (text) {
        try { f.body = JSON.parse(text); } catch { throw new Error('The answer body is not valid JSON.'); }
      }
    }
    return f;
  }

  function fillRuleSelect() {
    const sel = clear($('fault-rule'));
    const startupOnly = new Set(['TLS-CERT-REQUIRED', 'DISC-PUBLIC', 'HTTP-CONTENT-TYPE-JWT', 'REQ-PRIVATE-KEY-JWT']);
    for (const [id, r] of Object.entries(state.rules)) {
      if (startupOnly.has(id)) continue;
      sel.append(h('option', { value: id }, `${id}: ${r.title.length > 70 ? r.title.slice(0, 70) + '…' : r.title}`));
    }
  }

  // ---- profile ---------------------------------------------------------------------------------

  function renderProfile() {
    const p = state.profile;
    if (!p) return;
    $('profile-badge').textContent = `profile ${p.name}`;
    const profile = { ...p.profile };
    put(clear($('profile-card')), 
      h('h2', null, `${p.name}: ${p.description}`),
      kv([
        ['spec version', p.spec_version],
        ['source', p.source],
        ['issuer', p.urls && p.urls.issuer],
        ['registration endpoint', p.urls && p.urls.register],
        ['token endpoint', p.urls && p.urls.token],
        ['JWKS', p.urls && p.urls.jwks],
        ['directory', p.urls && p.urls.directory],
        ['developer-portal application', p.portal ? `${p.portal.client_id} (secret: GET /__admin/profile)` : ''],
      ]),
      h('h3', null, 'Profile'), json(profile),
    );
  }

  // ---- refresh loop ----------------------------------------------------------------------------

  function setStatus(text, offline) {
    const el = $('status');
    el.textContent = text;
    el.classList.toggle('offline', Boolean(offline));
  }

  const deferredProfile = () => Boolean(state.profile && state.profile.profile && state.profile.profile.registration && state.profile.profile.registration.deferred);

  async function refresh(tab) {
    if (tab === 'journal' && deferredProfile()) await refresh('outbox-data');
    if (tab === 'journal' || tab === 'outbox') {
      const { json: j, text } = await api('/journal');
      $('count-journal').textContent = String(j.entries.length);
      if (text !== state.journalText) {
        state.journalText = text;
        state.journal = j.entries;
        if (tab === 'journal') { renderJournal(); renderJournalDetail(false); }
      }
    }
    if (tab === 'clients') {
      const { json: j, text } = await api('/clients');
      $('count-clients').textContent = String(j.clients.length);
      if (text !== state.clientsText) {
        state.clientsText = text;
        state.clients = j.clients;
        renderClients();
        renderClientDetail(false);
      }
    }
    if (tab === 'outbox' || tab === 'outbox-data') {
      const { json: j, text } = await api('/outbox');
      $('count-outbox').textContent = String(j.entries.length);
      state.outboxSmtp = j.smtp;
      if (text !== state.outboxText) {
        state.outboxText = text;
        state.outbox = j.entries;
        if (tab === 'outbox') renderOutbox();
        // The journal's explanations of deferred registrations read the outbox.
        else { const box = $('journal-detail'); box.dataset.key = ''; renderJournalDetail(false); }
      }
    }
    if (tab === 'faults' || tab === 'journal') {
      const { json: j, text } = await api('/faults');
      $('count-faults').textContent = j.faults.length ? String(j.faults.length) : '';
      if (text !== state.faultsText) {
        state.faultsText = text;
        state.faults = j;
        renderFaults();
      }
    }
  }

  let timer;
  async function tick() {
    clearTimeout(timer);
    try {
      await refresh(state.tab);
      setStatus(`updated ${clock(new Date().toISOString()).slice(0, 8)}`);
    } catch (err) {
      setStatus(`offline: ${err.message}`, true);
    }
    if ($('live').checked && !document.hidden) timer = setTimeout(tick, POLL_MS);
  }

  function showTab() {
    const tab = (location.hash || '#journal').slice(1);
    state.tab = ['journal', 'clients', 'outbox', 'faults', 'profile'].includes(tab) ? tab : 'journal';
    for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.tab === state.tab);
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${state.tab}`;
    if (state.tab === 'journal') { renderJournal(); renderJournalDetail(true); }
    if (state.tab === 'profile') renderProfile();
    if (state.tab === 'outbox') renderOutbox();
    tick();
  }

  async function start() {
    for (const id of ['f-path', 'f-status', 'f-rule', 'f-code']) $(id).addEventListener('input', renderJournal);
    $('client-search').addEventListener('input', renderClients);
    $('live').addEventListener('change', tick);
    document.addEventListener('visibilitychange', tick);
    window.addEventListener('hashchange', showTab);
    $('fault-kind').addEventListener('change', syncFaultForm);
    $('fault-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      let fault;
      try { fault = faultFromForm(); } catch (err) { showFaultMsg(err.message, true); return; }
      try {
        const { json: added } = await api('/faults', { method: 'POST', body: fault });
        showFaultMsg(`Added ${added.id}: ${added.kind === 'rule' ? `${added.rule} ${added.enabled ? 'on' : 'off'}` : `${added.method} ${added.path}, ${faultEffect(added)}`}.`, false);
      } catch (err) {
        showFaultMsg(`Refused: ${err.message}`, true);
      }
      await refresh('faults').catch(() => undefined);
    });
    const clearBtn = $('faults-clear');
    clearBtn.addEventListener('click', async () => {
      try { await api('/faults', { method: 'DELETE' }); showFaultMsg('All runtime faults cleared.', false); } catch (err) { showFaultMsg(err.message, true); }
      await refresh('faults').catch(() => undefined);
    });
    syncFaultForm();
    try {
      const [r, p] = await Promise.all([api('/rules'), api('/profile')]);
      state.rules = r.json.rules;
      state.profile = p.json;
      const reg = p.json.urls && p.json.urls.register;
      if (reg) { try { $('fault-path').value = new URL(reg).pathname; } catch { /* keep the default */ } }
      fillRuleSelect();
      renderProfile();
    } catch (err) {
      setStatus(`offline: ${err.message}`, true);
    }
    showTab();
  }

  start();
})();
