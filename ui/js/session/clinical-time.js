// The clinical time of a charted entry: the field that keeps to the clinic's clock until the nurse
// types a time, and the tag on an entry saved long after its clinical time.

import { h } from '../lib/dom.js';
import { clinicNow, localDateTime, localTime } from '../lib/format.js';
import { readClinicalTime } from '../shell/api.js';

// Every clock-following field, moved on each second while on screen. Held weakly: a form that is
// closed or redrawn away is collected with its field, whether or not it ever comes back.
const following = new Set();
const catchUps = new WeakMap();
setInterval(() => {
  for (const ref of following) {
    const input = ref.deref();
    if (!input) following.delete(ref);
    else if (input.isConnected) catchUps.get(input)();
  }
}, 1000);

/** "late entry, saved HH:MM" on an entry saved long after its clinical time. */
export const lateTag = (entry) => entry.late && h('span', { class: 'tag late' }, `late entry, saved ${localTime(entry.recorded_at)}`);

/**
 * A clinical-time field. Until the nurse types, it follows the clinic's clock to the second and the
 * entry is charted at the instant it is saved (never a wall-clock time read again later). A typed
 * time ("21:40", "9:40 PM") is read by the core; where it names two instants (the hour repeated
 * when the clocks go back) both are offered beside the field, each with its offset, and the nurse
 * chooses. `withDate`: a follow-up score, often taken on another day. `from`: the instant of an
 * entry being corrected, kept unless the time is retyped. `forArrival`: the arrival, moved back.
 */
export function clockTime(id, { withDate = false, from = null, forArrival = false } = {}) {
  const shown = (at) => (withDate ? localDateTime(at, true) : localTime(at, true));
  const input = h('input', {
    id,
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: withDate ? 'YYYY-MM-DD HH:MM' : 'HH:MM',
    value: shown(from ?? clinicNow()),
  });
  const original = input.value;
  const choices = h('fieldset', { class: 'time-choices', hidden: true },
    h('legend', {}, 'Which one?'));
  let typed = Boolean(from);
  let chosen = null;
  const forget = () => {
    chosen = null;
    choices.hidden = true;
    choices.replaceChildren(choices.firstChild);
  };
  // A change as well as input: a field emptied without typing (WebDriver's clear, say) is typed too.
  for (const kind of ['input', 'change']) {
    input.addEventListener(kind, () => {
      typed = true;
      forget();
    });
  }
  const catchUp = () => {
    if (!typed && document.activeElement !== input) input.value = shown(clinicNow());
  };
  catchUps.set(input, catchUp);
  following.add(new WeakRef(input));

  /** Offers the instants a typed time names, each as the core labels it. */
  function offer(found) {
    choices.replaceChildren(choices.firstChild, ...found.map((choice, i) => {
      const radio = h('input', { type: 'radio', name: `${id}-choice`, id: `${id}-choice-${i}`, value: choice.at });
      radio.addEventListener('change', () => { chosen = choice.at; });
      return h('label', { for: radio.id, class: 'choice' }, radio, ` ${choice.label}`);
    }));
    choices.hidden = false;
    if (!choices.isConnected) input.after(choices);
  }

  return {
    input,
    catchUp,
    /**
     * The RFC 3339 instant to chart for session `sessionId`. Throws, with the core's words, if the
     * typed time cannot be read, or names two instants and the nurse has not chosen one yet.
     */
    async instant(sessionId) {
      if (!typed) return clinicNow().toISOString();
      if (from && input.value === original) return from;
      if (chosen) return chosen;
      const { choices: found } = await readClinicalTime({ session_id: sessionId, text: input.value, for_arrival: forArrival });
      if (found.length === 1) return found[0].at;
      offer(found);
      throw new Error(`There were two ${input.value.trim()}s that night (the clocks went back an hour): `
        + 'choose which one under the time, then save again.');
    },
    /** Back to following the clock, after a save. */
    reset() {
      typed = false;
      forget();
      catchUp();
    },
  };
}
