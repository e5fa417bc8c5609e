// Pieces shared by the screens: links, the patient banner, loading, and save feedback.

import { h } from '../dom.js';
import { clinicalInstant, localTime, patientDetails, patientName, SESSION_STATUS, todayLocal } from '../format.js';
import { whenRestored } from '../parked-views.js';

export const patientHref = (id) => `#/patient/${encodeURIComponent(id)}`;
export const sessionHref = (id) => `#/session/${encodeURIComponent(id)}`;

/** "Open", "Signed by nurse" or "Co-signed", coloured by how far the session has got. */
export const statusBadge = (status) => h('span', { class: `badge status-${status}` }, SESSION_STATUS[status]);

/** Name in bold, then DOB, MRN and weight: how a patient is identified everywhere. */
export const patientLine = (patient) => [
  h('strong', {}, patientName(patient)),
  ` · ${patientDetails(patient)}`,
];

const banner = document.getElementById('patient-banner');

/** Shows whose chart is open in the header bar; null hides it. */
export function setBanner(patient) {
  banner.replaceChildren(...(patient ? patientLine(patient) : []));
  banner.hidden = !patient;
}

/**
 * Fetches a screen's data. Null if it failed (the core's message is shown instead). If the nurse
 * has moved to another screen it never resolves, so a slow answer never paints over the new one;
 * a screen parked behind the lock screen gets its data, or asks again, once it is back.
 */
export async function load(root, request) {
  root.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const data = await request();
    await whenRestored(root);
    return data;
  } catch (error) {
    if (await cameBack(root, error)) return load(root, request);
    root.replaceChildren(h('p', { role: 'alert', class: 'error' }, error.message));
    return null;
  }
}

/**
 * For a command refused because the screen locked (or nobody is signed in): the lock or sign-in
 * screen has already put `node`'s screen away. Waits until it is back and says true, so the caller
 * can ask again instead of leaving "the screen is locked" on an unlocked screen.
 */
export async function cameBack(node, error) {
  if ((error.kind !== 'locked' && error.kind !== 'unauthenticated') || node.isConnected) return false;
  await whenRestored(node);
  return true;
}

/**
 * The status line ("saved", or a neutral "working…" while the core works) and error line that sit
 * beside a form's button.
 */
export function notices() {
  const status = h('p', { role: 'status', class: 'saved' });
  const node = h('div', { class: 'notices' }, status);
  let alert = null;
  const say = (kind, text) => {
    status.className = kind;
    status.textContent = text;
  };
  return {
    node,
    clear() {
      say('saved', '');
      alert?.remove();
      alert = null;
    },
    saved(text) {
      say('saved', text);
    },
    /** What is under way ("Backing up…"), in a neutral style until `saved` or `clear` replaces it. */
    working(text) {
      say('working', text);
    },
    // A fresh role="alert" element is announced reliably by screen readers; an edited one may not be.
    error(message) {
      alert?.remove();
      alert = h('p', { role: 'alert', class: 'error' }, message);
      node.append(alert);
    },
  };
}

/**
 * Sends one write to the core. The button stays disabled until the core answers, so a double press
 * cannot chart twice. Resolves with the core's answer, or null once its message is shown.
 */
export async function save(button, notes, request) {
  const focused = document.activeElement;
  notes.clear();
  button.disabled = true;
  try {
    return await request();
  } catch (error) {
    // Never resent by itself: the person checks what they typed and saves again.
    if (await cameBack(button, error)) notes.error('Not saved: the screen locked first. Check the entries and save again.');
    else notes.error(error.message);
    return null;
  } finally {
    button.disabled = false;
    // Disabling a focused button drops focus to the page; give it back so the keyboard flow goes on.
    if (document.activeElement === document.body) focused?.focus();
  }
}

/**
 * The browser hands over an unreadable entry ("7..5" in a number field) as an empty value, which
 * would chart nothing where the nurse typed something. Stop and say so instead.
 */
export function checkTyped(form, notes) {
  const bad = [...form.elements].find((element) => element.validity?.badInput);
  if (!bad) return true;
  const kind = bad.type === 'number' ? 'number' : bad.type;
  notes.clear();
  notes.error(`Check ${bad.labels[0].textContent}: what was typed is not a valid ${kind}.`);
  bad.focus();
  return false;
}

/** Empty stays null (the core says which fields are required); anything else is sent as a number. */
export const numberOrNull = (input) => (input.value === '' ? null : Number(input.value));

const ROLES = ['nurse', 'physician', 'admin'];

/** The roles whose checkbox is ticked, from `{role: checkbox}`, in the core's order. */
export const checkedRoles = (boxes) => ROLES.filter((role) => boxes[role]?.checked);

/**
 * Runs `fn` every `ms` while `node` is on screen. Behind the lock screen it pauses and picks up again
 * when the screen comes back; once the screen is left or redrawn, it stops.
 */
export function repeatWhileShown(node, fn, ms) {
  const timer = setInterval(() => {
    if (node.isConnected) {
      fn();
      return;
    }
    clearInterval(timer);
    whenRestored(node).then(() => {
      fn();
      repeatWhileShown(node, fn, ms);
    });
  }, ms);
}

/** A list to choose from, starting on an empty "Choose…" so nothing is picked by accident. */
export function choiceSelect(id, choices, selected) {
  return h('select', { id },
    h('option', { value: '' }, 'Choose…'),
    choices.map((choice) => h('option', { value: choice.name, selected: choice.name === selected }, choice.label)));
}

/** "late entry, saved HH:MM" on an entry saved long after its clinical time. */
export const lateTag = (entry) => entry.late && h('span', { class: 'tag late' }, `late entry, saved ${localTime(entry.recorded_at)}`);

/**
 * A clinical-time input that stays at "now" until the nurse types a time: `catchUp` (on entering
 * its form) and `instant` (when saving) move an untouched time to the current minute, so an entry
 * made long after the screen opened is never charted at a stale time.
 */
export function clockTime(id, withDate = false) {
  // A follow-up score is often taken on another day, so it gets a date as well.
  const now = () => (withDate ? `${todayLocal()}T${localTime()}` : localTime());
  const input = h('input', { id, type: withDate ? 'datetime-local' : 'time', value: now() });
  let typed = false;
  input.addEventListener('input', () => { typed = true; });
  const catchUp = () => {
    if (!typed) input.value = now();
  };
  return {
    input,
    catchUp,
    /** The RFC 3339 instant to send on the session's date; null if what was typed cannot be read. */
    instant(sessionDate) {
      catchUp();
      if (withDate) return input.value ? new Date(input.value).toISOString() : null;
      return clinicalInstant(sessionDate, input.value);
    },
    /** Back to following the clock, after a save. */
    reset() {
      typed = false;
      catchUp();
    },
  };
}
