// The only module that talks to the Rust core (see CONTRACT.md). Every command takes `{ input }`.
// Rejections always come out as `{kind, message}`, so a view can show `.message` without checks.

// On these screens nobody is signed in yet, so "unauthenticated" means a wrong password: the screen
// shows the message itself instead of being sent back to sign-in.
const SIGN_IN_COMMANDS = new Set(['setup', 'login', 'unlock', 'restore_newest']);

let onAccessLost = () => {};

/**
 * `handler(kind)` runs when a command is refused because the screen is locked or nobody is signed in.
 * It runs before the caller sees the rejection, so the screen is hidden before any message lands on it.
 */
export function whenAccessLost(handler) {
  onAccessLost = handler;
}

async function call(command, input) {
  try {
    return await window.__TAURI__.core.invoke(command, { input });
  } catch (error) {
    const problem = normalise(error);
    if ((problem.kind === 'locked' || problem.kind === 'unauthenticated') && !SIGN_IN_COMMANDS.has(command)) {
      onAccessLost(problem.kind);
    }
    throw problem;
  }
}

// The core rejects with `{kind, message}`; anything else (IPC failure, a string, an Error) is ours.
function normalise(error) {
  if (error && typeof error.kind === 'string' && typeof error.message === 'string') return error;
  return { kind: 'internal', message: String(error) };
}

// Signing in, locking, passwords.
export const appStatus = () => call('app_status', {});
export const setup = (account) => call('setup', account);
export const login = (username, password) => call('login', { username, password });
export const logout = () => call('logout', {});
export const lock = () => call('lock', {});
export const unlock = (username, password) => call('unlock', { username, password });
export const touch = () => call('touch', {});
export const changePassword = (change) => call('change_password', change);
export const recover = (recovery) => call('recover', recovery);
/** From the sign-in screen when the database is damaged; the username and password of an admin. */
export const restoreNewest = (username, password) => call('restore_newest', { username, password });

// Charting.
export const addPatient = (patient) => call('add_patient', patient);
export const searchPatients = (query) => call('search_patients', { query });
export const getPatient = (patientId) => call('get_patient', { patient_id: patientId });
export const listProtocols = () => call('list_protocols', {});
export const dosePreview = (dose) => call('dose_preview', dose);
export const startSession = (dose) => call('start_session', dose);
export const getSession = (sessionId) => call('get_session', { session_id: sessionId });
/** The record, after raising the alerts a running infusion has come to (the screen's tick). */
export const reviewInfusion = (sessionId) => call('review_infusion', { session_id: sessionId });
/** `{session_id, text, for_arrival}` → `{choices: [{at, label}]}`: the instants a typed time names. */
export const readClinicalTime = (typed) => call('read_clinical_time', typed);
export const moveArrival = (move) => call('move_arrival', move);
export const addVitals = (vitals) => call('add_vitals', vitals);
export const correctVitals = (correction) => call('correct_vitals', correction);
export const addInfusionEvent = (event) => call('add_infusion_event', event);
export const addNote = (note) => call('add_note', note);
export const acknowledgeAlert = (alertId) => call('acknowledge_alert', { alert_id: alertId });
export const signSession = (sessionId) => call('sign_session', { session_id: sessionId });
export const cosignSession = (sessionId) => call('cosign_session', { session_id: sessionId });
export const addAddendum = (addendum) => call('add_addendum', addendum);
export const updatePatient = (patientId, patient) => call('update_patient', { patient_id: patientId, patient });
export const referenceLists = () => call('reference_lists', {});
export const dayList = (date = null) => call('day_list', { date });
export const saveChecklist = (checklist) => call('save_checklist', checklist);
export const recordWaste = (waste) => call('record_waste', waste);
export const addOutcome = (score) => call('add_outcome', score);
export const addSideEffect = (effect) => call('add_side_effect', effect);
export const resolveSideEffect = (sideEffectId, resolvedTime) => call('resolve_side_effect', { side_effect_id: sideEffectId, resolved_time: resolvedTime });
export const addIntervention = (intervention) => call('add_intervention', intervention);
export const addAldrete = (score) => call('add_aldrete', score);
export const discharge = (input) => call('discharge', input);
/** `what` is `{session_id}` or `{patient_id}`; without `path` the report opens in the PDF viewer. */
export const printReport = (what, path = null) => call('print_report', { ...what, path });

// Administration.
export const listUsers = () => call('list_users', {});
export const addUser = (user) => call('add_user', user);
export const setUserRoles = (userId, roles) => call('set_user_roles', { user_id: userId, roles });
export const setUserActive = (userId, active) => call('set_user_active', { user_id: userId, active });
export const resetPassword = (userId, newPassword) => call('reset_password', { user_id: userId, new_password: newPassword });
export const getSettings = () => call('get_settings', {});
export const updateSettings = (settings) => call('update_settings', settings);
/** `pngHex`: the logo file's bytes as hex; empty removes the logo. */
export const setClinicLogo = (pngHex) => call('set_clinic_logo', { png_hex: pngHex });
export const allProtocols = () => call('all_protocols', {});
export const saveProtocol = (protocol) => call('save_protocol', protocol);
export const auditSearch = (filters) => call('audit_search', filters);
export const auditVerify = () => call('audit_verify', {});
export const auditExport = (filters, path) => call('audit_export', { ...filters, path });

// Backups and exports (admin).
export const backupStatus = () => call('backup_status', {});
/** Without `folder` the backup goes to the automatic backup folder, which is then rotated. */
export const backupNow = (folder = null) => call('backup_now', { folder });
/** An empty `folder` means the default: `backups/` beside the database. */
export const setBackupFolder = (folder) => call('set_backup_folder', { folder });
export const verifyBackup = (path) => call('verify_backup', { path });
/** Everyone is signed out afterwards, this admin too. */
export const restoreBackup = (path) => call('restore_backup', { path });
/** `format`: 'csv' or 'fhir'. The files are not encrypted. */
export const exportRecords = (format, folder) => call('export_records', { format, folder });

// The clinic server.
export const sharingState = () => call('sharing_state', {});
/** This laptop, holding the clinic's history, joins the server and shares it (an admin). */
export const joinClinic = (url, caPem) => call('join_clinic', { url, ca_pem: caPem });
/** A computer with no chart joins the clinic; then everyone signs in with their own password. */
export const joinAsNewLaptop = (url, caPem, username, password) => call('join_as_new_laptop', { url, ca_pem: caPem, username, password });

/** Asks where to write the audit CSV: a path, or null if the admin cancelled. */
export const chooseCsvPath = () => chooseSavePath('audit.csv', 'CSV', 'csv');

/** Asks where to save a report: a path, or null if cancelled. */
export const choosePdfPath = (name) => chooseSavePath(name, 'PDF', 'pdf');

/** Asks for a folder (a backup or export destination): a path, or null if cancelled. */
export const chooseFolder = () => chooseToOpen({ directory: true });

/** Asks for a backup file to verify or restore: a path, or null if cancelled. */
export const chooseBackupFile = () => chooseToOpen({ filters: [{ name: 'Infusion Chart backup', extensions: ['db'] }] });

async function chooseToOpen(options) {
  try {
    return await window.__TAURI__.dialog.open(options);
  } catch (error) {
    throw normalise(error);
  }
}

async function chooseSavePath(defaultPath, kind, extension) {
  try {
    return await window.__TAURI__.dialog.save({ defaultPath, filters: [{ name: kind, extensions: [extension] }] });
  } catch (error) {
    throw normalise(error);
  }
}
