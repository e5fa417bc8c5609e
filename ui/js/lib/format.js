// Display helpers. The core keeps times as UTC RFC 3339; nurses read and type local wall-clock time.

const pad = (n) => String(n).padStart(2, '0');

/** The local date of an RFC 3339 string as "YYYY-MM-DD", the form the core uses for session dates. */
export function localDate(when) {
  const d = new Date(when);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export const todayLocal = () => localDate(new Date());

/** "HH:MM" (24-hour, local) of an RFC 3339 string, or of now; "HH:MM:SS" with `seconds`. */
export function localTime(when = new Date(), seconds = false) {
  const d = new Date(when);
  const hhmm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hhmm}:${pad(d.getSeconds())}` : hhmm;
}

/** "YYYY-MM-DD HH:MM" (local) of an RFC 3339 string; "YYYY-MM-DD HH:MM:SS" with `withSeconds`. */
export const localDateTime = (when, withSeconds = false) => `${localDate(when)} ${localTime(when, withSeconds)}`;

/** "HH:MM" if the instant falls on the local date `day`, else "YYYY-MM-DD HH:MM": never an ambiguous time. */
export function timeOnDay(day, when) {
  return localDate(when) === day ? localTime(when) : localDateTime(when);
}

/** The RFC 3339 instant of a local "HH:MM" on a session's date, or null if the time is unreadable. */
export function clinicalInstant(sessionDate, hhmm) {
  const match = /^(\d{2}):(\d{2})/.exec(hhmm);
  if (!match) return null;
  // No offset in the string, so JavaScript reads it as local time, as the nurse meant it.
  const d = new Date(`${sessionDate}T${match[1]}:${match[2]}`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
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
