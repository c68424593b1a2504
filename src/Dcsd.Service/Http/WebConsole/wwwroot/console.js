// dcsd console: a static app over the DCS API (v2), signed in with an X-Auth-Token from POST /v3/auth/tokens.
// Nothing is rendered through innerHTML: every value from the API goes into text nodes.
'use strict';

const session = {
  get token() { return sessionStorage.getItem('dcs.token'); },
  get project() { return sessionStorage.getItem('dcs.project'); },
  get user() { return sessionStorage.getItem('dcs.user'); },
  save(token, project, user) {
    sessionStorage.setItem('dcs.token', token);
    sessionStorage.setItem('dcs.project', project);
    sessionStorage.setItem('dcs.user', user);
  },
  clear() { ['dcs.token', 'dcs.project', 'dcs.user'].forEach(k => sessionStorage.removeItem(k)); },
};

const ACTIVE = new Set(['waiting', 'backuping', 'restoring', 'MIGRATING', 'CREATING', 'RESTORING']);
const $ = id => document.getElementById(id);

/** A DCS error answer, in either shape (v2 flat, v1.0 nested): its message is what the user reads. */
class DcsError extends Error {
  constructor(status, body) {
    const code = body?.error_code ?? body?.error?.code ?? `HTTP ${status}`;
    const message = body?.error_msg ?? body?.error?.message ?? `dcsd answered ${status} without a message`;
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { 'X-Auth-Token': session.token, 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/v2/${encodeURIComponent(session.project)}/${path}`,
    { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const error = new DcsError(response.status, json);
    if (response.status === 401) signOut(`Signed out: ${error.message} (${error.code})`);
    throw error;
  }
  return json;
}

// ---- small DOM helpers -------------------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'onclick') node.addEventListener('click', value);
    else if (name === 'className') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const state = value => el('span', { className: `state ${value}` }, value ?? '');
const when = text => (text ?? '').replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

const plural = (n, word) => `${n} ${word}${Number(n) === 1 ? '' : 's'}`;

function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(n) || 0, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function progressCell(record) {
  const value = Number(record.progress ?? 0);
  return el('td', {},
    el('progress', { max: 100, value, 'aria-label': `${record.backup_name ?? record.restore_name ?? record.task_name ?? 'job'} progress` }),
    `${value.toFixed(0)}%`);
}

/** The backup's census (dcsd's `content`): keys per database and per type. */
function censusCell(record) {
  const content = record.content;
  if (!content) return el('td', { className: 'census muted' }, record.status === 'succeed' ? '' : '—');
  const databases = (content.databases ?? []).map(db => el('span', {}, `db${db.db}: ${plural(db.keys, 'key')}`));
  const types = Object.entries(content.types ?? {}).map(([type, keys]) => el('span', { className: 'muted' }, `${type} ${keys}`));
  return el('td', { className: 'census' }, el('div', {}, databases), el('div', {}, types));
}

function table(caption, headers, rows, empty) {
  if (rows.length === 0) return el('p', { className: 'muted' }, empty);
  return el('table', {},
    el('caption', { className: 'sr-only' }, caption),
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
}

// ---- messages ----------------------------------------------------------------------------------------------------

function showError(error) {
  const box = $('alert');
  box.replaceChildren();
  if (error instanceof DcsError) {
    box.append(error.message, el('span', { className: 'code' }, `(${error.code})`));
  } else if (error instanceof TypeError) {
    box.append(`dcsd could not be reached: ${error.message}`);
  } else {
    box.append(error.message);
  }
  box.hidden = false;
  $('status').textContent = '';
}

function showStatus(text) {
  $('alert').hidden = true;
  $('status').textContent = text;
}

/** Runs an action of the user, showing what went wrong as the DCS message. */
async function attempt(action) {
  try { await action(); } catch (error) { showError(error); }
}

// ---- sign in / out -----------------------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const accessKey = $('access-key').value.trim();
  const secret = $('secret-key');
  const body = { auth: { identity: { methods: ['password'], password: { user: { name: accessKey, password: secret.value, domain: { name: accessKey } } } } } };
  secret.value = ''; // the secret key is sent once and not kept anywhere
  try {
    const response = await fetch('/v3/auth/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store' });
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new DcsError(response.status, json);
    session.save(response.headers.get('X-Subject-Token'), json.token.project.id, accessKey);
    showStatus('');
    route();
  } catch (error) {
    showError(error);
    secret.focus();
  }
}

function signOut(message) {
  session.clear();
  stopPolling();
  if (message) showError(new Error(message)); else showStatus('Signed out.');
  route();
}

// ---- views -------------------------------------------------------------------------------------------------------

// Each load belongs to a generation: one that comes back after the user moved on (or a newer load started) is dropped,
// so there is never more than one polling loop.
let pollTimer = null;
let generation = 0;
function stopPolling() { clearTimeout(pollTimer); pollTimer = null; return ++generation; }

function show(view) {
  for (const id of ['sign-in', 'instances', 'instance']) $(id).hidden = id !== view;
  $('who').hidden = view === 'sign-in';
  $('who-text').textContent = session.user ? `${session.user} · project ${session.project}` : '';
}

function route() {
  stopPolling();
  if (!session.token) {
    show('sign-in');
    $('access-key').focus();
    return;
  }
  const match = location.hash.match(/^#\/instances\/([\w-]+)$/);
  if (match) {
    show('instance');
    loadInstance(match[1], true);
  } else {
    show('instances');
    loadInstances();
  }
}

/** Keys of the instance at its newest succeeded backup (the instance API has no live key count). */
async function keysAtLastBackup(instanceId) {
  const list = await api('GET', `instances/${instanceId}/backups?limit=50`);
  const last = list.backup_record_response.find(b => b.status === 'succeed' && b.content);
  return last ? `${last.content.total_keys}` : '—';
}

function nodes(instance) {
  return Math.max(1, instance.sharding_count || 1) * Math.max(1, instance.replica_count || 1);
}

async function loadInstances() {
  const mine = stopPolling();
  await attempt(async () => {
    const list = await api('GET', 'instances?limit=1000');
    const keys = await Promise.all(list.instances.map(i => keysAtLastBackup(i.instance_id).catch(() => '—')));
    if (mine !== generation) return;
    $('instance-rows').replaceChildren(...list.instances.map((instance, index) => el('tr', {},
      el('td', {}, el('a', { href: `#/instances/${instance.instance_id}` }, instance.name), el('div', { className: 'mono muted' }, instance.instance_id)),
      el('td', {}, instance.cache_mode),
      el('td', {}, nodes(instance)),
      el('td', {}, state(instance.status), instance.task ? ` (${instance.task})` : ''),
      el('td', {}, keys[index]),
      el('td', {}, `${instance.max_memory} MB`),
      el('td', { className: 'mono' }, instance.ip ? `${instance.ip}:${instance.port}` : ''))));
    if (list.instances.length === 0) {
      $('instance-rows').append(el('tr', {}, el('td', { colspan: 7, className: 'muted' }, 'No instances yet: create one with ./dcs instances create or the API.')));
    }
    if (list.instances.some(i => ACTIVE.has(i.status))) pollTimer = setTimeout(loadInstances, 2000);
  });
}

// The instance page is a list of sections, each loaded from the API and rendered on its own; another resource of an
// instance (its backup policy, say) is one more entry here.
const instanceSections = [
  { title: 'Backups', load: id => api('GET', `instances/${id}/backups?limit=100`), render: renderBackups, active: r => r.backup_record_response.some(b => ACTIVE.has(b.status)) },
  { title: 'Restores', load: id => api('GET', `instances/${id}/restores?limit=100`), render: renderRestores, active: r => r.restore_record_response.some(x => ACTIVE.has(x.status)) },
  { title: 'Imports', load: () => api('GET', 'migration-tasks?limit=100'), render: renderImports, active: r => r.migration_tasks.some(t => ACTIVE.has(t.status)) },
];

const current = { instance: null, instances: [] };

async function loadInstance(id, first) {
  const mine = stopPolling();
  try {
    const [instance, logical, list, ...results] = await Promise.all([
      api('GET', `instances/${id}`),
      api('GET', `instances/${id}/logical-nodes`),
      api('GET', 'instances?limit=1000'),
      ...instanceSections.map(s => s.load(id)),
    ]);
    if (mine !== generation) return;
    current.instance = instance;
    current.instances = list.instances;
    renderFacts(instance, logical);
    $('instance-sections').replaceChildren(...instanceSections.map((section, index) =>
      el('section', { 'aria-label': section.title }, el('h3', {}, section.title), section.render(results[index], instance))));
    if (first) $('instance-title').focus();
    const busy = ACTIVE.has(instance.status) || instance.task || instanceSections.some((s, i) => s.active(results[i]));
    pollTimer = setTimeout(() => loadInstance(id, false), busy ? 700 : 5000);
  } catch (error) {
    if (mine === generation) showError(error);
  }
}

function renderFacts(instance, logical) {
  $('instance-title').textContent = instance.name;
  $('instance-title').setAttribute('tabindex', '-1');
  const facts = [
    ['ID', el('span', { className: 'mono' }, instance.instance_id)],
    ['Mode', `${instance.cache_mode} (${instance.spec_code})`],
    ['Status', el('span', {}, state(instance.status), instance.task ? ` (${instance.task})` : '')],
    ['Memory', `${instance.max_memory} MB`],
    ['Engine', `${instance.engine} ${instance.engine_version}`],
    ['Nodes', el('span', {}, logical.nodes.map(n =>
      el('span', { className: 'mono' }, `${n.node_type} ${n.node_ip}:${n.node_port} ${n.status}${n.group_name ? ` (${n.group_name})` : ''}`, el('br'))))],
    ['Created', when(instance.created_at)],
  ];
  $('instance-facts').replaceChildren(...facts.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]));
}

// Each backup row offers the actions its status allows; another action on a backup is one more entry here.
const backupActions = [
  { label: 'Restore', allowed: b => b.status === 'succeed', run: confirmRestore },
  { label: 'Import…', allowed: b => b.status === 'succeed', run: openImport },
  { label: 'Delete', allowed: b => !ACTIVE.has(b.status) && b.status !== 'deleted', run: confirmDelete },
];

function renderBackups(list) {
  const rows = list.backup_record_response.map(backup => el('tr', {},
    el('td', {}, backup.backup_name, el('div', { className: 'mono muted' }, backup.backup_id), backup.remark ? el('div', { className: 'muted' }, backup.remark) : null),
    el('td', {}, state(backup.status), backup.error_code ? el('div', { className: 'mono' }, backup.error_code) : null),
    progressCell(backup),
    el('td', { className: 'nowrap' }, bytes(backup.size)),
    censusCell(backup),
    el('td', {}, when(backup.created_at)),
    el('td', { className: 'actions' }, backupActions.filter(a => a.allowed(backup)).map(action =>
      el('button', { type: 'button', 'aria-label': `${action.label.replace('…', '')} ${backup.backup_name}`, onclick: () => action.run(backup) }, action.label)))));
  return table('Backups of the instance', ['Backup', 'Status', 'Progress', 'Size', 'Keys per database and type', 'Taken', 'Actions'], rows, 'No backups yet.');
}

function renderRestores(list) {
  const rows = list.restore_record_response.map(restore => el('tr', {},
    el('td', {}, restore.restore_name, el('div', { className: 'mono muted' }, restore.restore_id)),
    el('td', {}, restore.backup_name),
    el('td', {}, state(restore.status), restore.error_code ? el('div', { className: 'mono' }, restore.error_code) : null),
    progressCell(restore),
    el('td', {}, restore.engine ?? ''),
    el('td', {}, when(restore.created_at))));
  return table('Restores of the instance', ['Restore', 'Backup', 'Status', 'Progress', 'Engine', 'Started'], rows, 'No restores yet.');
}

function renderImports(list, instance) {
  const mine = list.migration_tasks.filter(t => t.source_instance_id === instance.instance_id || t.target_instance_id === instance.instance_id);
  const rows = mine.map(task => el('tr', {},
    el('td', {}, task.task_name, el('div', { className: 'mono muted' }, task.task_id)),
    el('td', {}, task.source_instance_id === instance.instance_id
      ? `to ${task.target_instance_name ?? task.target_instance_id}`
      : `from ${task.source_instance_name ?? task.source_instance_id}`),
    el('td', {}, state(task.status), task.error_message ? el('div', {}, task.error_message) : null),
    el('td', {}, when(task.created_at))));
  return table('Backup imports from or into the instance', ['Task', 'Direction', 'Status', 'Started'], rows, 'No imports from or into this instance.');
}

// ---- actions -----------------------------------------------------------------------------------------------------

function refreshSoon() { loadInstance(current.instance.instance_id, false); }

async function backupNow() {
  const instance = current.instance;
  await attempt(async () => {
    const created = await api('POST', `instances/${instance.instance_id}/backups`, { remark: 'console', backup_format: 'rdb' });
    showStatus(`Backup ${created.backup_id} of ${instance.name} started.`);
    refreshSoon();
  });
}

/** Asks in a modal dialog; resolves true only on the named confirming button. */
function confirmDialog(title, text, confirmLabel) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise(resolve => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

function keysOf(backup) {
  return backup.content ? plural(backup.content.total_keys, 'key') : 'its keys';
}

async function confirmRestore(backup) {
  const instance = current.instance;
  const ok = await confirmDialog(
    `Restore ${backup.backup_name}?`,
    `All data of instance ${instance.name} (${instance.instance_id}) will be replaced by backup ${backup.backup_name}, taken ${when(backup.created_at)} (${keysOf(backup)}). ` +
    'Keys written since the backup, and keys it does not hold, are lost.',
    `Replace the data of ${instance.name}`);
  if (!ok) return;
  await attempt(async () => {
    const created = await api('POST', `instances/${instance.instance_id}/restores`, { backup_id: backup.backup_id, remark: 'console' });
    showStatus(`Restore ${created.restore_id} of ${instance.name} from ${backup.backup_name} started.`);
    refreshSoon();
  });
}

async function confirmDelete(backup) {
  const ok = await confirmDialog(
    `Delete ${backup.backup_name}?`,
    `The files of backup ${backup.backup_name} of ${current.instance.name} are removed; the record stays as deleted and can no longer be restored.`,
    'Delete the backup');
  if (!ok) return;
  await attempt(async () => {
    await api('DELETE', `instances/${current.instance.instance_id}/backups/${backup.backup_id}`);
    showStatus(`Backup ${backup.backup_name} deleted.`);
    refreshSoon();
  });
}

function openImport(backup) {
  const targets = current.instances.filter(i => i.instance_id !== current.instance.instance_id);
  if (targets.length === 0) {
    showError(new Error('there is no other instance to import into: create one first'));
    return;
  }
  $('import-text').textContent = `Backup ${backup.backup_name} of ${current.instance.name} (${keysOf(backup)}).`;
  $('import-target').replaceChildren(...targets.map(t => el('option', { value: t.instance_id }, `${t.name} (${t.cache_mode}, ${t.status})`)));
  $('import-password').value = '';
  $('import-policy').value = '';
  const dialog = $('import');
  dialog.returnValue = '';
  dialog.showModal();
  dialog.addEventListener('close', async () => {
    const password = $('import-password').value;
    $('import-password').value = '';
    if (dialog.returnValue !== 'ok') return;
    const target = targets.find(t => t.instance_id === $('import-target').value);
    const body = {
      task_name: `import-${backup.backup_name}`,
      migration_type: 'backupfile_import',
      migration_method: 'full_amount_migration',
      backup_files: { file_source: 'backup_record', backup_id: backup.backup_id },
      target_instance: password ? { id: target.instance_id, password } : { id: target.instance_id },
    };
    if ($('import-policy').value) body.multi_db_policy = $('import-policy').value;
    await attempt(async () => {
      const created = await api('POST', 'migration-task', body);
      showStatus(`Import ${created.name} into ${target.name} started.`);
      refreshSoon();
    });
  }, { once: true });
}

// ---- start -------------------------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut());
  $('refresh-instances').addEventListener('click', loadInstances);
  $('backup-now').addEventListener('click', backupNow);
  window.addEventListener('hashchange', () => { $('alert').hidden = true; route(); });
  route();
});
