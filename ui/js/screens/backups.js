// Backups: when the chart was last backed up, where, and how the clinic's policy runs; backing up
// now (to the automatic folder, or a chosen one such as a USB stick); where automatic backups go;
// checking and restoring a backup file; and exporting the records for other software. Every figure
// shown is the core's; the core checks every file.

import { checkbox, h } from '../lib/dom.js';
import { localDateTime } from '../lib/format.js';
import { load } from '../lib/lifecycle.js';
import { labelOf, lists } from '../lib/lists.js';
import { notices, save } from '../lib/save.js';
import {
  backupNow, backupStatus, chooseBackupFile, chooseFolder, exportRecords, restoreBackup, setBackupFolder, verifyBackup,
} from '../shell/api.js';
import { recheckBackupWarning } from '../shell/backup-warning.js';

// The app's own bookkeeping, left out of "rows of charted records".
const HOUSEKEEPING = new Set(['schema_migrations', 'settings', 'backups']);

// The tables whose row counts a checked backup shows, in this order.
const MAIN_TABLES = [
  ['patients', 'Patients'],
  ['sessions', 'Sessions'],
  ['vitals', 'Vitals'],
  ['infusion_events', 'Infusion events'],
  ['notes', 'Notes'],
  ['signatures', 'Signatures'],
  ['addenda', 'Addenda'],
  ['users', 'Users'],
  ['audit_log', 'Audit trail entries'],
];

const FORMATS = [
  ['csv', 'CSV: one file per record type, for spreadsheets'],
  ['fhir', 'FHIR R4 JSON bundle, for an EHR'],
];

const RECENT_COLUMNS = ['When', 'Kind', 'By', 'Size', 'File'];

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Bytes as megabytes with one decimal; a small database never shows as nothing. */
function megabytes(bytes) {
  const mb = bytes / 1_048_576;
  return mb > 0 && mb < 0.1 ? 'under 0.1 MB' : `${mb.toFixed(1)} MB`;
}

/** An age as the core's warning counts it: hours up to two days, then days. */
function age(hours) {
  if (hours < 1) return 'under an hour';
  return hours < 48 ? plural(Math.floor(hours), 'hour') : plural(Math.floor(hours / 24), 'day');
}

function policyWords(policy) {
  const every = policy.every_hours === 1 ? 'every hour' : `every ${policy.every_hours} hours`;
  const weeks = policy.keep_weekly ? ` and ${plural(policy.keep_weekly, 'week')}` : '';
  return `${every} while open, at sign-out and when the app closes; `
    + `keeps the newest of the last ${plural(policy.keep_daily, 'day')}${weeks}`;
}

const chartedRows = (manifest) => Object.entries(manifest.tables)
  .filter(([table]) => !HOUSEKEEPING.has(table))
  .reduce((sum, [, rows]) => sum + rows, 0);

/** `onRestored(restored)` runs after a restore, which has signed everyone out. */
export function renderBackups(root, { onRestored }) {
  const buttons = []; // disabled together while the core copies, checks or writes files
  const button = (text, primary = false) => {
    const made = h('button', { type: 'button', class: primary ? 'primary' : 'secondary' }, text);
    buttons.push(made);
    return made;
  };

  /** As `save`, with every button here disabled and `progress` said while the core works. */
  async function busy(clicked, notes, progress, request) {
    for (const b of buttons) b.disabled = true;
    try {
      const answer = await save(clicked, notes, () => {
        notes.working(progress);
        return request();
      });
      // Refused: the core's message stands alone, without the progress line.
      if (!answer) notes.saved('');
      return answer;
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  const statusBody = h('div');
  const recentBody = h('div');
  let kinds = []; // the core's words for each kind of backup (`backup_kinds`), once fetched
  const draw = (status) => {
    statusBody.replaceChildren(...statusFacts(status, kinds));
    recentBody.replaceChildren(recentTable(status.recent, kinds));
  };
  const redraw = async () => {
    const loaded = await load(statusBody, () => Promise.all([backupStatus(), lists()]));
    if (!loaded) {
      recentBody.replaceChildren();
      return;
    }
    const [status, reference] = loaded;
    kinds = reference.backup_kinds;
    draw(status);
  };

  // Back up now: into the automatic folder (then rotated), or a folder chosen for this one backup.
  const now = button('Back up now', true);
  const toFolder = button('Back up to a folder…');
  const backupNotes = notices();
  async function backUp(clicked, folder) {
    const made = await busy(clicked, backupNotes, 'Backing up…', () => backupNow(folder));
    if (!made) return;
    const removed = made.removed.length
      ? ` The clinic's policy removed ${plural(made.removed.length, 'older automatic backup')}.`
      : '';
    backupNotes.saved(`Backup made: ${made.record.path} (${megabytes(made.record.bytes)}, `
      + `${plural(chartedRows(made.manifest), 'row')} of charted records checked).${removed}`);
    redraw();
    recheckBackupWarning();
  }
  now.addEventListener('click', () => backUp(now, null));
  toFolder.addEventListener('click', async () => {
    const folder = await save(toFolder, backupNotes, chooseFolder);
    if (folder) backUp(toFolder, folder);
  });

  // Where automatic backups go: a chosen folder, or back to `backups/` beside the database.
  const change = button('Change automatic backup folder…');
  const useDefault = button('Use the default folder');
  const folderNotes = notices();
  async function setFolder(clicked, folder) {
    const status = await save(clicked, folderNotes, () => setBackupFolder(folder));
    if (!status) return;
    draw(status);
    folderNotes.saved(`Automatic backups now go to ${status.folder}.`);
  }
  change.addEventListener('click', async () => {
    const folder = await save(change, folderNotes, chooseFolder);
    if (folder) setFolder(change, folder);
  });
  useDefault.addEventListener('click', () => setFolder(useDefault, ''));

  // A backup file: checked on its own, or checked, shown and confirmed before it replaces the database.
  const verify = button('Verify a backup file…');
  const restore = button('Restore a backup…');
  const fileNotes = notices();
  const fileResult = h('div', { class: 'backup-result' });
  async function checkFile(clicked) {
    fileResult.replaceChildren();
    const path = await save(clicked, fileNotes, chooseBackupFile);
    if (!path) return null;
    const verified = await busy(clicked, fileNotes, 'Checking the backup…', () => verifyBackup(path));
    if (!verified) return null;
    const m = verified.manifest;
    fileNotes.saved(`Verified: made ${localDateTime(m.created_at)}, schema ${m.schema_version}, SHA-256 matches, integrity check passed.`);
    fileResult.replaceChildren(backupContents(verified, kinds));
    return verified;
  }
  verify.addEventListener('click', () => checkFile(verify));
  restore.addEventListener('click', async () => {
    const verified = await checkFile(restore);
    if (!verified) return;
    const yes = h('button', { type: 'button', class: 'primary' }, 'Yes, restore');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const notes = notices();
    const made = localDateTime(verified.manifest.created_at);
    // Only in the page while asked for, so its buttons never sit hidden among the others.
    const box = h('div', { class: 'confirm', role: 'group', 'aria-labelledby': 'restore-explain' },
      h('p', { id: 'restore-explain' }, `Restore the backup made ${made}? The current database is backed up first, `
        + 'then replaced by this backup. Everyone is signed out, you too, and signs in again. '
        + `Anything charted after ${made} is not in this backup; it stays only in the backup made first.`),
      h('div', { class: 'form-actions' }, yes, cancel, notes.node));
    cancel.addEventListener('click', () => {
      box.remove();
      fileNotes.clear();
      restore.focus();
    });
    yes.addEventListener('click', async () => {
      cancel.disabled = true;
      const restored = await busy(yes, notes, 'Backing up the current database, then restoring…',
        () => restoreBackup(verified.path));
      cancel.disabled = false;
      if (restored) onRestored(restored);
    });
    fileResult.append(box);
    yes.focus();
  });

  root.replaceChildren(
    h('h1', {}, 'Backups'),
    h('section', { id: 'backup-status', class: 'panel', 'aria-labelledby': 'backup-status-heading' },
      h('h2', { id: 'backup-status-heading' }, 'Backup status'),
      statusBody,
      h('div', { class: 'form-actions backup-actions' }, now, toFolder, backupNotes.node),
      h('div', { class: 'form-actions backup-actions' }, change, useDefault, folderNotes.node)),
    h('section', { class: 'panel', 'aria-labelledby': 'backup-file-heading' },
      h('h2', { id: 'backup-file-heading' }, 'Check or restore a backup file'),
      h('p', { class: 'note' }, 'Checking opens the file read-only: made by Infusion Chart, a version this app can open, '
        + 'its SHA-256 as written beside it, and SQLite’s integrity check. A restore checks it again first.'),
      h('div', { class: 'form-actions backup-actions' }, verify, restore, fileNotes.node),
      fileResult),
    h('section', { class: 'panel', 'aria-labelledby': 'backup-recent-heading' },
      h('h2', { id: 'backup-recent-heading' }, 'Recent backups'),
      recentBody),
    exportSection(button, busy));
  redraw();
}

/** The last backup, how old it is and where; the automatic folder and the policy in words. */
function statusFacts(status, kinds) {
  const { last, policy } = status;
  const fact = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  const facts = last
    ? [
      fact('Last backup', h('time', { datetime: last.created_at }, localDateTime(last.created_at)),
        ` · ${labelOf(kinds, last.kind)}`, last.made_by && ` (${last.made_by})`),
      fact('Age', age(status.age_hours ?? 0)),
      fact('Location', h('span', { class: 'path' }, last.path)),
      fact('Size', megabytes(last.bytes)),
      fact('File', status.last_present ? 'present' : h('span', { class: 'missing' }, 'file missing — drive unplugged?')),
    ]
    : [fact('Last backup', 'None has been made yet.')];
  return [
    status.warning && h('p', { class: 'warning' }, status.warning),
    h('dl', { class: 'facts' },
      ...facts.flat(),
      ...fact('Automatic backups', policyWords(policy)),
      ...fact('Automatic backup folder', h('span', { class: 'path' }, status.folder))),
  ].filter(Boolean);
}

function recentTable(records, kinds) {
  const row = (r) => h('tr', { 'data-backup-id': r.id },
    h('td', { class: 'when' }, h('time', { datetime: r.created_at }, localDateTime(r.created_at))),
    h('td', {}, labelOf(kinds, r.kind)),
    h('td', {}, r.made_by ?? '—'),
    h('td', { class: 'size' }, megabytes(r.bytes)),
    h('td', {}, h('span', { class: 'path' }, r.path)));
  return h('div', { class: 'table-scroll' },
    h('table', { class: 'data-table backups-recent' },
      h('caption', { class: 'visually-hidden' }, 'Recent backups, newest first'),
      h('thead', {}, h('tr', {}, RECENT_COLUMNS.map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, records.length
        ? records.map(row)
        : h('tr', { class: 'empty' }, h('td', { colspan: RECENT_COLUMNS.length }, 'No backups yet.')))));
}

/** What a checked backup holds: where it is, who made it how, and the rows of the main tables. */
function backupContents({ path, manifest }, kinds) {
  const rows = MAIN_TABLES.filter(([table]) => table in manifest.tables);
  return h('div', { class: 'backup-contents' },
    h('p', { class: 'meta' }, h('span', { class: 'path' }, path),
      ` · ${labelOf(kinds, manifest.kind)} · Infusion Chart ${manifest.app_version} · ${megabytes(manifest.bytes)}`),
    h('table', { class: 'data-table backup-rows' },
      h('caption', {}, 'Rows in this backup'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Records'), h('th', { scope: 'col', class: 'count' }, 'Rows'))),
      h('tbody', {}, rows.map(([table, label]) => h('tr', {},
        h('th', { scope: 'row' }, label),
        h('td', { class: 'count' }, String(manifest.tables[table])))))));
}

/** Every record, as CSV files or one FHIR bundle, written into a folder the admin picks. */
function exportSection(button, busy) {
  const radios = FORMATS.map(([value]) => h('input', {
    id: `export-format-${value}`, type: 'radio', name: 'export-format', value, checked: value === 'csv',
  }));
  const go = button('Export to a folder…');
  const notes = notices();
  const result = h('div', { class: 'backup-result' });
  go.addEventListener('click', async () => {
    result.replaceChildren();
    const folder = await save(go, notes, chooseFolder);
    if (!folder) return;
    const format = radios.find((radio) => radio.checked).value;
    const exported = await busy(go, notes, 'Exporting…', () => exportRecords(format, folder));
    if (!exported) return;
    notes.saved(`Exported ${plural(exported.total, 'record')} to ${exported.folder}.`);
    result.replaceChildren(exportedFiles(exported.files));
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'export-heading' },
    h('h2', { id: 'export-heading' }, 'Export records'),
    h('p', { class: 'warning' }, 'Exports are not encrypted and hold patients’ names and charts. '
      + 'Store them as you would a printed chart, and delete them once they have been handed over.'),
    h('fieldset', { class: 'checks' },
      h('legend', {}, 'Format'),
      FORMATS.map(([, label], i) => checkbox(label, radios[i]))),
    h('div', { class: 'form-actions backup-actions' }, go, notes.node),
    result);
}

function exportedFiles(files) {
  return h('table', { class: 'data-table backup-rows' },
    h('caption', {}, 'Files written'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'File'), h('th', { scope: 'col', class: 'count' }, 'Records'))),
    h('tbody', {}, files.map((file) => h('tr', {},
      h('th', { scope: 'row' }, h('span', { class: 'path' }, file.name)),
      h('td', { class: 'count' }, String(file.records))))));
}
