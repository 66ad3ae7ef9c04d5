// The Portoser dashboard: plain JavaScript over /api/v1 and its event stream. No build step, no third-party code.
'use strict';

const API = '/api/v1';
const STATES = ['HEALTHY', 'UNHEALTHY', 'BLOCKED', 'FLAPPING', 'STARTING', 'UNKNOWN'];
const $ = (sel, root = document) => root.querySelector(sel);

const model = { machines: [], services: [], sha: '', sort: { key: 'name', dir: 1 }, selected: null };

/** An element: el('div', {class: 'x', text: 'y'}, child, ...). Text is always set as text, never as HTML. */
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// ---- the API -------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, doc) {
    super(doc && doc.error ? doc.error : 'the server answered ' + status);
    this.status = status;
    this.doc = doc || {};
  }
}

async function api(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'the server cannot be reached; is portoser serve still running?' });
  }
  let doc = null;
  const text = await res.text();
  try { doc = text ? JSON.parse(text) : {}; } catch (e) { doc = { error: text.trim() }; }
  if (res.status === 401) showAuth(true);
  if (!res.ok) throw new ApiError(res.status, doc);
  showAuth(false);
  return doc;
}

/**
 * A registry edit, sent with the version the user saw (for a form: when it opened, so that a change made meanwhile
 * by someone else is never overwritten unseen); a stale version is said and the page reloads its data.
 */
async function edit(method, path, body, sha = model.sha) {
  try {
    return await api(method, path, body, { 'If-Match': '"' + sha + '"' });
  } catch (e) {
    if (e.status === 412) {
      notify('The registry changed since the page read it (someone else edited it); the page has reloaded it: '
        + 'check and try again.', true);
      await refresh();
    }
    throw e;
  }
}

function showAuth(on) { $('#auth').hidden = !on; }

let noticeTimer = null;
function notify(text, isError = false) {
  const n = $('#notice');
  n.textContent = text;
  n.classList.toggle('error', isError);
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.hidden = true; }, isError ? 15000 : 6000);
}

// ---- loading and live updates ---------------------------------------------------------------------------------

async function refresh() {
  try {
    const [reg, machines, services] = await Promise.all([api('GET', '/registry'), api('GET', '/machines'),
      api('GET', '/services')]);
    model.sha = services.registrySha256 || reg.registrySha256;
    model.machines = machines.machines;
    model.services = services.services;
    const problems = (reg.problems || []).map(p => p.text);
    $('#summary').textContent = model.machines.length + ' machines, ' + model.services.length + ' services'
      + (reg.healing ? ', self-healing on' : '') + (problems.length ? ' — the file on disk is invalid, showing the '
      + 'last valid registry: ' + problems.join('; ') : '');
    render();
  } catch (e) {
    if (e.status !== 401) notify(e.message, true);
  }
}

let refreshTimer = null;
let refreshing = false;
/** At most one refresh every 400 ms, however many events arrive. */
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    if (refreshing) { refreshTimer = null; scheduleRefresh(); return; }
    refreshing = true;
    try { await refresh(); } finally { refreshing = false; refreshTimer = null; }
  }, 400);
}

function follow() {
  const es = new EventSource(API + '/events');
  for (const type of ['health', 'registry', 'machine', 'heal']) es.addEventListener(type, scheduleRefresh);
  es.addEventListener('run', ev => {
    let data = {};
    try { data = JSON.parse(ev.data); } catch (e) { /* ignore a malformed event */ }
    if (currentRun && data.run === currentRun.id) runEvent(data.event || {});
    if (data.event && (data.event.event === 'finished' || data.event.event === 'stepEnded')) scheduleRefresh();
  });
  es.addEventListener('open', () => document.body.classList.remove('offline'));
  es.addEventListener('error', () => {
    document.body.classList.add('offline');
    // a 401 closes the stream for good: find out whether that is why
    if (es.readyState === EventSource.CLOSED) api('GET', '/registry').then(follow, () => setTimeout(follow, 5000));
  });
}

// ---- rendering ------------------------------------------------------------------------------------------------

function render() {
  renderBoard();
  renderTable();
}

function reachOf(m) {
  if (m.reachable === true) return { cls: 'up', text: 'reachable' };
  if (m.reachable === false) return { cls: 'down', text: 'unreachable' + (m.reachDetail ? ': ' + m.reachDetail : '') };
  return { cls: '', text: 'not probed yet' };
}

/** The services the filter box lets through (all when it is empty). */
function shown() {
  const q = ($('#filter').value || '').trim().toLowerCase();
  if (!q) return model.services;
  return model.services.filter(s => [s.name, s.machine, s.type, stateOf(s), ...(s.tags || [])]
    .some(v => String(v).toLowerCase().includes(q)));
}

function renderBoard() {
  const board = $('#board');
  const byMachine = new Map(model.machines.map(m => [m.name, []]));
  for (const s of shown()) {
    if (!byMachine.has(s.machine)) byMachine.set(s.machine, []);
    byMachine.get(s.machine).push(s);
  }
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.service : null;
  const columns = model.machines.map(m => {
    const reach = reachOf(m);
    const cards = byMachine.get(m.name).map(card);
    const col = el('section', { class: 'machine', dataset: { machine: m.name }, 'aria-label': 'machine ' + m.name },
      el('header', {},
        el('h2', {}, el('span', { class: 'reach ' + reach.cls, title: reach.text, role: 'img', 'aria-label': reach.text }),
          m.name),
        el('div', { class: 'meta' }, (m.user ? m.user + '@' : '') + m.host + (m.sshPort && m.sshPort !== 22
          ? ':' + m.sshPort : '') + ' · ' + m.platform),
        m.description ? el('div', { class: 'meta' }, m.description) : null,
        el('div', { class: 'meta' }, (m.tags || []).map(t => el('span', { class: 'tag', text: t }))),
        el('div', { class: 'actions' },
          el('button', { type: 'button', text: 'Edit', 'aria-label': 'edit machine ' + m.name,
            onclick: () => openForm('machine', m) }),
          el('button', { type: 'button', class: 'danger', text: 'Remove', 'aria-label': 'remove machine ' + m.name,
            onclick: () => remove('machine', m.name) }))),
      el('div', { class: 'cards', role: 'list' }, cards.length ? cards : el('p', { class: 'meta', text: 'no services' })));
    col.addEventListener('dragover', ev => {
      if (!ev.dataTransfer.types.includes('text/x-portoser-service')) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'move';
      col.classList.add('drop-target');
    });
    col.addEventListener('dragleave', ev => { if (!col.contains(ev.relatedTarget)) col.classList.remove('drop-target'); });
    col.addEventListener('drop', ev => {
      ev.preventDefault();
      col.classList.remove('drop-target');
      const name = ev.dataTransfer.getData('text/x-portoser-service');
      const s = model.services.find(x => x.name === name);
      if (s && s.machine !== m.name) planAndConfirm({ action: 'move', services: [name], machine: m.name },
        'Move ' + name + ' from ' + s.machine + ' to ' + m.name);
    });
    return col;
  });
  board.replaceChildren(...columns);
  if (focused) {
    const again = board.querySelector('.card[data-service="' + CSS.escape(focused) + '"]');
    if (again) again.focus();
  }
}

function card(s) {
  const c = el('div', { class: 'card state-' + stateOf(s) + (model.selected === s.name ? ' selected' : ''),
    role: 'listitem', tabindex: '0', draggable: 'true', dataset: { service: s.name, state: stateOf(s) },
    'aria-label': s.name + ', ' + stateOf(s) + '; press Enter for actions', title: s.detail || stateOf(s) },
  el('div', { class: 'name', text: s.name }),
  el('div', { class: 'sub' }, el('span', { text: s.type + (s.port !== null && s.port !== undefined ? ' :' + s.port : '') }),
    el('span', { class: 'badge', text: stateOf(s) })));
  c.addEventListener('dragstart', ev => {
    ev.dataTransfer.setData('text/x-portoser-service', s.name);
    ev.dataTransfer.effectAllowed = 'move';
    c.classList.add('dragging');
  });
  c.addEventListener('dragend', () => c.classList.remove('dragging'));
  c.addEventListener('click', () => openDetails(s.name));
  c.addEventListener('keydown', ev => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); openDetails(s.name); }
    else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') { ev.preventDefault(); moveFocus(c, ev.key === 'ArrowDown' ? 1 : -1, false); }
    else if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') { ev.preventDefault(); moveFocus(c, ev.key === 'ArrowRight' ? 1 : -1, true); }
  });
  return c;
}

/** Arrow keys walk the cards: up and down in a column, left and right across columns. */
function moveFocus(from, step, across) {
  if (!across) {
    const cards = [...from.closest('.cards').querySelectorAll('.card')];
    const next = cards[cards.indexOf(from) + step];
    if (next) next.focus();
    return;
  }
  const cols = [...document.querySelectorAll('#board .machine')];
  for (let i = cols.indexOf(from.closest('.machine')) + step; i >= 0 && i < cols.length; i += step) {
    const c = cols[i].querySelector('.card');
    if (c) { c.focus(); return; }
  }
}

function stateOf(s) { return STATES.includes(s.state) ? s.state : 'UNKNOWN'; }

function since(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

const COLUMNS = [
  { key: 'name', label: 'Name' }, { key: 'type', label: 'Type' }, { key: 'machine', label: 'Machine' },
  { key: 'port', label: 'Port' }, { key: 'state', label: 'State' }, { key: 'since', label: 'Since' },
  { key: 'lastDeploy', label: 'Last deploy' }];

function sortValue(s, key) {
  if (key === 'lastDeploy') return s.lastDeploy ? s.lastDeploy.time : '';
  if (key === 'port') return typeof s.port === 'number' ? s.port : -1;
  if (key === 'since') return s.since || '';
  return String(s[key] ?? '');
}

function renderTable() {
  const { key, dir } = model.sort;
  const head = $('#service-table thead tr');
  head.replaceChildren(...COLUMNS.map(c => el('th', { scope: 'col', 'aria-sort': c.key === key
    ? (dir > 0 ? 'ascending' : 'descending') : 'none' },
  el('button', { type: 'button', dataset: { sort: c.key }, text: c.label + (c.key === key ? (dir > 0 ? ' ▲' : ' ▼') : ''),
    onclick: () => { model.sort = { key: c.key, dir: c.key === key ? -dir : 1 }; renderTable(); } }))));
  const rows = [...shown()].sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    return (x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name)) * dir;
  }).map(s => el('tr', { dataset: { service: s.name } },
    el('td', {}, el('button', { type: 'button', class: 'link', text: s.name, onclick: () => openDetails(s.name) })),
    el('td', { text: s.type }), el('td', { text: s.machine }), el('td', { text: s.port ?? '' }),
    el('td', {}, el('span', { class: 'badge state-' + stateOf(s), text: stateOf(s) })),
    el('td', { text: since(s.since) }),
    el('td', { text: s.lastDeploy ? since(s.lastDeploy.time) + ' ' + s.lastDeploy.action + ' ' + s.lastDeploy.outcome : '' })));
  $('#service-table tbody').replaceChildren(...rows);
}

// ---- add and edit ---------------------------------------------------------------------------------------------

const FORMS = {
  machine: [
    { key: 'name', label: 'Name', required: true, only: 'add' },
    { key: 'host', label: 'Host', required: true },
    { key: 'user', label: 'User', required: true },
    { key: 'platform', label: 'Platform', options: ['linux', 'darwin', 'bsd'] },
    { key: 'ssh_port', label: 'SSH port', type: 'number', from: m => m.sshPort === 22 ? '' : m.sshPort },
    { key: 'tags', label: 'Tags (comma-separated)', list: true },
    { key: 'description', label: 'Description' }],
  service: [
    { key: 'name', label: 'Name', required: true, only: 'add' },
    { key: 'type', label: 'Type', options: ['local', 'native', 'docker'] },
    { key: 'machine', label: 'Machine', machines: true },
    { key: 'port', label: 'Port (or auto)', number: true },
    { key: 'path', label: 'Path' },
    { key: 'command', label: 'Command' },
    { key: 'compose_file', label: 'Compose file', from: s => s.composeFile },
    { key: 'service_name', label: 'Service name', from: s => s.serviceName },
    { key: 'depends_on', label: 'Depends on (comma-separated)', list: true, from: s => s.dependsOn },
    { key: 'group', label: 'Group' },
    { key: 'tags', label: 'Tags (comma-separated)', list: true },
    { key: 'description', label: 'Description' }]
};

let formState = null;

function valueOf(f, item) {
  if (!item) return '';
  const v = f.from ? f.from(item) : item[f.key];
  if (Array.isArray(v)) return v.join(', ');
  return v === null || v === undefined ? '' : String(v);
}

function openForm(kind, item) {
  const mode = item ? 'edit' : 'add';
  formState = { kind, mode, item, sha: model.sha };
  $('#form-title').textContent = (mode === 'add' ? 'Add a ' : 'Edit ') + kind + (item ? ' ' + item.name : '');
  const fields = FORMS[kind].filter(f => !f.only || f.only === mode).map(f => {
    const id = 'f-' + f.key;
    let input;
    const current = valueOf(f, item);
    if (f.options || f.machines) {
      const opts = f.machines ? model.machines.map(m => m.name) : f.options;
      input = el('select', { id, name: f.key }, opts.map(o => el('option', { value: o, text: o, selected: o === current })));
    } else {
      input = el('input', { id, name: f.key, type: f.type === 'number' ? 'number' : 'text', value: current,
        required: f.required, autocomplete: 'off', 'aria-describedby': 'err-' + f.key });
    }
    return [el('label', { for: id, text: f.label }),
      el('div', { class: 'field', dataset: { field: f.key } }, input,
        el('span', { class: 'field-error', id: 'err-' + f.key, role: 'alert' }))];
  });
  $('#form-fields').replaceChildren(...fields.flat());
  $('#form-error').textContent = '';
  $('#form-dialog').showModal();
}

function parsed(f, raw) {
  const t = raw.trim();
  if (f.list) return t ? t.split(',').map(x => x.trim()).filter(Boolean) : [];
  if ((f.number || f.type === 'number') && /^\d+$/.test(t)) return Number(t);
  return t;
}

function clearFieldErrors() {
  for (const e of document.querySelectorAll('#form-fields .field')) {
    e.classList.remove('invalid');
    $('.field-error', e).textContent = '';
  }
  $('#form-error').textContent = '';
}

async function saveForm(ev) {
  ev.preventDefault();
  const { kind, mode, item } = formState;
  clearFieldErrors();
  const form = $('#edit-form');
  const fields = {};
  let name = item ? item.name : '';
  for (const f of FORMS[kind].filter(x => !x.only || x.only === mode)) {
    const raw = form.elements[f.key].value;
    if (f.key === 'name') { name = raw.trim(); continue; }
    const before = valueOf(f, item);
    if (mode === 'add') {
      if (raw.trim() !== '') fields[f.key] = parsed(f, raw);
    } else if (raw.trim() !== before.trim()) {
      fields[f.key] = raw.trim() === '' ? null : parsed(f, raw);
    }
  }
  if (!name) { showFieldError('name', 'a name is required'); return; }
  if (mode === 'edit' && Object.keys(fields).length === 0) { $('#form-dialog').close(); return; }
  const path = '/' + kind + 's' + (mode === 'edit' ? '/' + encodeURIComponent(name) : '');
  try {
    const done = await edit(mode === 'add' ? 'POST' : 'PATCH', path, mode === 'add' ? { name, fields } : { fields },
      formState.sha);
    $('#form-dialog').close();
    notify((mode === 'add' ? 'Added ' : 'Saved ') + kind + ' ' + name + ' to registry.yml'
      + (done.notices && done.notices.length ? ': ' + done.notices.join('; ') : '.'));
    await refresh();
  } catch (e) {
    const problems = e.doc.problems || [];
    let placed = 0;
    for (const p of problems) {
      if (showFieldError(p.field, p.message)) placed++;
    }
    if (placed < problems.length || problems.length === 0) $('#form-error').textContent = e.message;
    if (e.status === 412) formState.sha = model.sha;
  }
}

function showFieldError(field, message) {
  const box = document.querySelector('#form-fields .field[data-field="' + CSS.escape(field) + '"]');
  if (!box) return false;
  box.classList.add('invalid');
  const err = $('.field-error', box);
  err.textContent = err.textContent ? err.textContent + '; ' + message : message;
  return true;
}

// ---- remove ---------------------------------------------------------------------------------------------------

function confirmDialog(title, body, okLabel) {
  return new Promise(resolve => {
    const d = $('#confirm-dialog');
    $('#confirm-title').textContent = title;
    $('#confirm-body').replaceChildren(...body);
    $('#confirm-ok').textContent = okLabel;
    const done = answer => { d.removeEventListener('close', onClose); d.close(); resolve(answer); };
    const onClose = () => resolve(false);
    $('#confirm-ok').onclick = () => done(true);
    $('#confirm-cancel').onclick = () => done(false);
    d.addEventListener('close', onClose, { once: true });
    d.showModal();
  });
}

async function remove(kind, name) {
  $('#details-dialog').close();
  const path = '/' + kind + 's/' + encodeURIComponent(name);
  if (!await confirmDialog('Remove ' + kind + ' ' + name + '?',
    [el('p', { text: 'This removes ' + name + ' from registry.yml (it does not stop what runs).' })], 'Remove')) return;
  try {
    await edit('DELETE', path);
    notify('Removed ' + kind + ' ' + name + ' from registry.yml.');
  } catch (e) {
    if (e.status !== 409 || !e.doc.forceable) { if (e.status !== 412) notify(e.message, true); return; }
    const users = e.doc.dependents || e.doc.services || [];
    const what = kind === 'service' ? 'These services depend on ' + name + ':' : 'These services run on ' + name + ':';
    const force = await confirmDialog('Remove ' + name + ' anyway?', [el('p', { text: what }),
      el('ul', { id: 'dependents' }, users.map(u => el('li', { text: u }))),
      el('p', { text: kind === 'service' ? 'Forcing removes ' + name + ' from their depends_on too.'
        : 'Forcing removes those services too.' })], 'Force remove');
    if (!force) return;
    try {
      await edit('DELETE', path + '?force=true');
      notify('Removed ' + kind + ' ' + name + ' (forced).');
    } catch (e2) { if (e2.status !== 412) notify(e2.message, true); }
  }
  $('#details-dialog').close();
  await refresh();
}

// ---- plans and runs -------------------------------------------------------------------------------------------

let currentPlan = null;
let currentRun = null;
let pollTimer = null;

async function planAndConfirm(request, title) {
  let plan;
  try {
    plan = await api('POST', '/plans', request);
  } catch (e) {
    notify('No plan: ' + e.message, true);
    return;
  }
  showPlan(plan, title);
}

function showPlan(plan, title) {
  currentPlan = plan;
  currentRun = null;
  $('#plan-title').textContent = title;
  $('#plan-steps').replaceChildren(...plan.steps.map(s => el('li', { dataset: { step: s.id } },
    s.action + ' ' + s.service + (s.fromMachine ? ' from ' + s.fromMachine + ' to ' : ' on ') + s.machine
    + (s.reason ? ' — ' + s.reason : ''))));
  if (!plan.steps.length) $('#plan-steps').append(el('li', { text: 'nothing to do' }));
  $('#plan-warnings').replaceChildren(...(plan.warnings || []).map(w => el('li', { text: w })));
  $('#plan-warnings-box').hidden = !(plan.warnings || []).length;
  $('#plan-diff').replaceChildren(...diffLines(plan.diff || ''));
  $('#plan-diff-box').hidden = !plan.diff;
  $('#run-box').hidden = true;
  resetRun();
  $('#plan-error').textContent = '';
  $('#plan-confirm').hidden = false;
  $('#plan-confirm').disabled = false;
  $('#plan-cancel').textContent = 'Cancel';
  const d = $('#plan-dialog');
  if (!d.open) d.showModal();
  $('#plan-cancel').focus();
}

function diffLines(diff) {
  return diff.split('\n').map(line => el('span', { class: line.startsWith('+') && !line.startsWith('+++') ? 'add'
    : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : '' }, line + '\n'));
}

async function startRun(promise) {
  $('#plan-confirm').disabled = true;
  try {
    const run = await promise;
    showRun(run);
  } catch (e) {
    $('#plan-error').textContent = e.message;
    $('#plan-confirm').disabled = false;
  }
}

/** Clears what the last run showed, so that nothing of it is mistaken for the next one. */
function resetRun() {
  const status = $('#run-status');
  status.textContent = '';
  status.className = '';
  delete status.dataset.status;
  $('#run-steps').replaceChildren();
}

function showRun(run) {
  if (!currentRun || currentRun.id !== run.id) resetRun();
  currentRun = run;
  const d = $('#plan-dialog');
  if (!d.open) {
    $('#plan-title').textContent = 'Run ' + run.id + ': ' + run.action;
    $('#plan-steps').replaceChildren();
    $('#plan-warnings-box').hidden = true;
    $('#plan-diff-box').hidden = true;
    $('#plan-error').textContent = '';
    d.showModal();
  }
  $('#plan-confirm').hidden = true;
  $('#plan-cancel').textContent = 'Close';
  $('#run-box').hidden = false;
  renderRun(run);
  clearInterval(pollTimer);
  // the stream carries the run's events; polling too covers a stream that dropped
  pollTimer = setInterval(pollRun, 1500);
}

async function pollRun() {
  if (!currentRun) { clearInterval(pollTimer); return; }
  try {
    const run = await api('GET', '/runs/' + encodeURIComponent(currentRun.id));
    if (currentRun && run.id === currentRun.id) {
      currentRun = run;
      renderRun(run);
    }
  } catch (e) { $('#plan-error').textContent = e.message; }
}

function runEvent(event) {
  if (event.event === 'stepStarted' || event.event === 'stepEnded' || event.event === 'finished') pollRun();
  const status = $('#run-status');
  if (event.event === 'stepStarted') status.textContent = 'Running: ' + event.action + ' ' + event.service + ' on ' + event.machine;
}

function renderRun(run) {
  const status = $('#run-status');
  status.className = 'status-' + run.status;
  status.dataset.status = run.status;
  if (run.status !== 'RUNNING') {
    status.textContent = 'Run ' + run.id + ' ' + run.status.toLowerCase() + (run.failure ? ': ' + run.failure : '');
    clearInterval(pollTimer);
    scheduleRefresh();
  } else if (!status.textContent.startsWith('Running')) {
    status.textContent = 'Running…';
  }
  $('#run-steps').replaceChildren(...(run.steps || []).map(s => el('li', { class: s.outcome },
    s.step + ': ' + s.outcome + (s.detail ? ' — ' + s.detail : '') + ' (' + Math.round(s.durationMillis) + ' ms)')),
  ...(run.warnings || []).map(w => el('li', { class: 'warning', text: w })));
}

// ---- a service's details --------------------------------------------------------------------------------------

async function openDetails(name) {
  const s = model.services.find(x => x.name === name);
  if (!s) return;
  model.selected = name;
  for (const c of document.querySelectorAll('.card.selected')) c.classList.remove('selected');
  const c = document.querySelector('.card[data-service="' + CSS.escape(name) + '"]');
  if (c) c.classList.add('selected');
  const d = $('#details-dialog');
  d.dataset.service = name;
  $('#details-title').textContent = 'Service ' + name;
  const facts = [['State', stateOf(s) + (s.detail ? ' — ' + s.detail : '')], ['Since', since(s.since)],
    ['Type', s.type], ['Machine', s.machine], ['Port', s.port ?? ''], ['Path', s.path],
    ['Depends on', (s.dependsOn || []).join(', ')], ['Needed by', (s.dependents || []).join(', ')],
    ['Blocked by', (s.blockedBy || []).join(', ')], ['Environment', (s.envKeys || []).join(', ')],
    ['Description', s.description]].filter(([, v]) => v !== null && v !== undefined && v !== '');
  $('#details-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  $('#move-target').replaceChildren(...model.machines.filter(m => m.name !== s.machine)
    .map(m => el('option', { value: m.name, text: m.name })));
  $('#do-move').disabled = model.machines.length < 2;
  $('#details-logs').hidden = true;
  $('#details-error').textContent = '';
  $('#history-table tbody').replaceChildren();
  if (!d.open) d.showModal();
  try {
    const h = await api('GET', '/services/' + encodeURIComponent(name) + '/history');
    $('#history-table tbody').replaceChildren(...h.records.map(r => el('tr', {},
      el('td', { text: since(r.time) }), el('td', { text: r.action }), el('td', { text: r.machine }),
      el('td', { text: r.outcome + (r.healthy === false ? ' (unhealthy)' : '') }),
      el('td', {}, el('button', { type: 'button', text: 'Roll back to this', onclick: () => rollback(r) })))));
    if (!h.records.length) $('#history-table tbody').append(el('tr', {}, el('td', { colspan: '5', text: 'no deployments yet' })));
  } catch (e) { $('#details-error').textContent = e.message; }
}

async function rollback(record) {
  if (!await confirmDialog('Roll back ' + record.service + '?', [el('p', { text: 'Deploys the configuration of '
    + record.action + ' at ' + since(record.time) + ' on ' + record.machine + ' again.' })], 'Roll back')) return;
  $('#details-dialog').close();
  try {
    showRun(await api('POST', '/history/' + encodeURIComponent(record.id) + '/rollback', {}));
  } catch (e) { notify(e.message, true); }
}

function detailsService() { return $('#details-dialog').dataset.service; }

function action(verb) {
  const name = detailsService();
  $('#details-dialog').close();
  planAndConfirm({ action: verb, services: [name] }, verb[0].toUpperCase() + verb.slice(1) + ' ' + name);
}

// ---- theme ----------------------------------------------------------------------------------------------------

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  $('#theme-toggle').textContent = 'Theme: ' + (theme || 'auto');
}

function nextTheme() {
  const order = ['auto', 'light', 'dark'];
  const now = document.documentElement.dataset.theme || 'auto';
  const next = order[(order.indexOf(now) + 1) % order.length];
  try { localStorage.setItem('portoser-theme', next); } catch (e) { /* storage may be off */ }
  applyTheme(next === 'auto' ? null : next);
}

// ---- wiring ---------------------------------------------------------------------------------------------------

function selectTab(which) {
  for (const t of ['machines', 'services']) {
    $('#tab-' + t).setAttribute('aria-selected', String(t === which));
    $('#view-' + t).hidden = t !== which;
  }
  try { localStorage.setItem('portoser-tab', which); } catch (e) { /* storage may be off */ }
}

function wire() {
  $('#filter').addEventListener('input', render);
  $('#tab-machines').addEventListener('click', () => selectTab('machines'));
  $('#tab-services').addEventListener('click', () => selectTab('services'));
  $('#add-machine').addEventListener('click', () => openForm('machine', null));
  $('#add-service').addEventListener('click', () => openForm('service', null));
  $('#theme-toggle').addEventListener('click', nextTheme);
  $('#edit-form').addEventListener('submit', saveForm);
  $('#form-cancel').addEventListener('click', () => $('#form-dialog').close());
  $('#plan-cancel').addEventListener('click', () => {
    currentPlan = null;
    currentRun = null;
    clearInterval(pollTimer);
    $('#plan-dialog').close();
  });
  $('#plan-dialog').addEventListener('close', () => { currentPlan = null; currentRun = null; clearInterval(pollTimer); });
  $('#plan-confirm').addEventListener('click', () => {
    if (currentPlan) startRun(api('POST', '/runs', { plan: currentPlan.id }));
  });
  $('#details-close').addEventListener('click', () => $('#details-dialog').close());
  $('#details-dialog').addEventListener('close', () => {
    const c = document.querySelector('.card[data-service="' + CSS.escape(detailsService() || '') + '"]');
    if (c) c.focus();
  });
  $('#do-deploy').addEventListener('click', () => action('deploy'));
  $('#do-restart').addEventListener('click', () => action('restart'));
  $('#do-stop').addEventListener('click', () => action('stop'));
  $('#do-edit').addEventListener('click', () => {
    const s = model.services.find(x => x.name === detailsService());
    $('#details-dialog').close();
    if (s) openForm('service', s);
  });
  $('#do-remove').addEventListener('click', () => remove('service', detailsService()));
  $('#do-move').addEventListener('click', () => {
    const name = detailsService();
    const target = $('#move-target').value;
    const s = model.services.find(x => x.name === name);
    if (!target || !s) return;
    $('#details-dialog').close();
    planAndConfirm({ action: 'move', services: [name], machine: target }, 'Move ' + name + ' from ' + s.machine + ' to ' + target);
  });
  $('#do-logs').addEventListener('click', async () => {
    const n = $('#log-lines').value || '100';
    try {
      const logs = await api('GET', '/services/' + encodeURIComponent(detailsService()) + '/logs?lines=' + encodeURIComponent(n));
      const pre = $('#details-logs');
      pre.textContent = logs.text || '(the log is empty)';
      pre.hidden = false;
    } catch (e) { $('#details-error').textContent = e.message; }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  let theme = null, tab = 'machines';
  try { theme = localStorage.getItem('portoser-theme'); tab = localStorage.getItem('portoser-tab') || tab; } catch (e) { /* off */ }
  applyTheme(theme === 'auto' ? null : theme);
  wire();
  selectTab(tab === 'services' ? 'services' : 'machines');
  refresh().then(follow);
});
