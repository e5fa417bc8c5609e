// Display helpers. The core keeps times as UTC RFC 3339 instants; nurses read local wall-clock
// time, with the UTC offset beside it on a day the clocks change (two 01:30s must never look alike).

const pad = (n) => String(n).padStart(2, '0');

// The clinic's clock is the core's (`Status.now`): the window keeps to it, not to its own.
let skewMs = 0;

/** Keeps to the core's clock, from the `now` of its latest status. */
export function setClinicClock(coreNow) {
  if (coreNow) skewMs = new Date(coreNow).getTime() - Date.now();
}

/** The current instant on the clinic's clock. */
export const clinicNow = () => new Date(Date.now() + skewMs);

/** "UTC−4", "UTC+5:30", "UTC": the offset of a local time, as the core prints it too. */
function offsetLabel(d) {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? '−' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  if (minutes === 0) return 'UTC';
  return m ? `UTC${sign}${h}:${pad(m)}` : `UTC${sign}${h}`;
}

/** Whether the clocks change on the local day of `d` (its offset at the start and end differ). */
function clocksChangeOn(d) {
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
  return start.getTimezoneOffset() !== end.getTimezoneOffset();
}

/** The local date of an RFC 3339 string as "YYYY-MM-DD", the form the core uses for session dates. */
export function localDate(when) {
  const d = new Date(when);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export const todayLocal = () => localDate(clinicNow());

/**
 * "HH:MM" (24-hour, local) of an RFC 3339 string, or of now; "HH:MM:SS" with `seconds`; with the
 * offset ("01:30 UTC−5") on a day the clocks change.
 */
export function localTime(when = clinicNow(), seconds = false) {
  const d = new Date(when);
  const hhmm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const shown = seconds ? `${hhmm}:${pad(d.getSeconds())}` : hhmm;
  return clocksChangeOn(d) ? `${shown} ${offsetLabel(d)}` : shown;
}

/** "YYYY-MM-DD HH:MM" (local) of an RFC 3339 string; "YYYY-MM-DD HH:MM:SS" with `withSeconds`. */
export const localDateTime = (when, withSeconds = false) => `${localDate(when)} ${localTime(when, withSeconds)}`;

/** "HH:MM" if the instant falls on the local date `day`, else "YYYY-MM-DD HH:MM": never an ambiguous time. */
export function timeOnDay(day, when) {
  return localDate(when) === day ? localTime(when) : localDateTime(when);
}

/** A measurement for the flowsheet: as charted, or rounded to `digits`; a dash when not charted. */
export function reading(value, digits) {
  if (value == null) return '—';
  return digits === undefined ? String(value) : Number(value).toFixed(digits);
}

export const patientName = (p) => `${p.family_name}, ${p.given_names}`;

/**
 * DOB, MRN and the recorded weight as the core labels it: as typed, the other unit in brackets
 * ("154 lb (69.85 kg)"), so a weight given in lb is checked without arithmetic.
 */
export const patientDetails = (p) => `DOB ${p.date_of_birth} · MRN ${p.mrn} · ${p.weight.label}`;

export const SESSION_STATUS = { open: 'Open', signed: 'Signed by nurse', cosigned: 'Co-signed' };

/** "Nina Park · nurse, admin": who is signed in, as the header shows it. */
export const userLine = (user) => `${user.display_name} · ${user.roles.join(', ')}`;

/** What a restore did, for the sign-in screen it always ends on (everyone is signed out). */
export const restoredMessage = (restored) => `Restored the backup made at ${localDateTime(restored.made_at)}. `
  + `The database it replaced is kept at ${restored.previous_kept_at}. Sign in again.`;
