// The clinical time of a charted entry: the input that keeps to the clock until the nurse types a
// time, and the tag on an entry saved long after its clinical time.

import { h } from '../lib/dom.js';
import { clinicalInstant, localTime, todayLocal } from '../lib/format.js';

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
