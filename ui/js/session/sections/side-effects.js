// Side effects (onset, severity, resolution) and the rescue medications given for them, with the
// forms to chart both while the session is open.

import { charCount } from '../../lib/char-count.js';
import { field, h } from '../../lib/dom.js';
import { checkTyped, choiceSelect, numberOrNull } from '../../lib/form.js';
import { clinicNow, localTime } from '../../lib/format.js';
import { labelOf } from '../../lib/lists.js';
import { notices, save } from '../../lib/save.js';
import { addIntervention, addSideEffect, resolveSideEffect } from '../../shell/api.js';
import { clockTime, lateTag } from '../clinical-time.js';

const OTHER = 'other';

/**
 * A free-text field that is on show only while `select` is on "other", as the core requires it then.
 * `value()` is what to send: the text, or null for any other choice; `limit` names the core's limit.
 * `sync()` follows the select (and the text) after a reset.
 */
function otherField(select, id, label, limit) {
  const input = h('input', { id, type: 'text', autocomplete: 'off' });
  const count = charCount(input, limit);
  const node = field(label, input, count.node);
  const sync = () => {
    node.hidden = select.value !== OTHER;
    count.update();
  };
  select.addEventListener('change', sync);
  sync();
  return { node, value: () => (select.value === OTHER ? input.value : null), sync };
}

/**
 * The section. `show(record)` redraws both lists from the core's record and keeps the forms as
 * typed; after each save `onChange(notes)` redraws the screen from the core's fresh record, so
 * the rest of it (the open side effects at a glance) follows.
 */
export function sideEffectsSection(record, lists, onChange) {
  const { session } = record;
  const open = session.status === 'open';
  const effects = h('div');
  const medications = h('div');
  const listNotes = notices();
  const rescue = open ? interventionForm(session, lists, onChange) : null;
  const node = h('section', { class: 'panel side-effects', 'aria-labelledby': 'side-effects-heading' },
    h('h2', { id: 'side-effects-heading' }, 'Side effects and rescue medications'),
    effects,
    listNotes.node,
    open && effectForm(session, lists, onChange),
    h('h3', {}, 'Rescue medications'),
    medications,
    rescue?.form);

  function show(next) {
    effects.replaceChildren(next.side_effects.length === 0
      ? h('p', { class: 'empty' }, 'No side effects charted.')
      : effectsTable(next.side_effects, lists, open && { notes: listNotes, reload: onChange, rescue }));
    medications.replaceChildren(next.interventions.length === 0
      ? h('p', { class: 'empty' }, 'No rescue medications given.')
      : interventionsTable(next.interventions, lists));
  }
  show(record);
  return { node, show };
}

/** `actions` (open sessions only): where the row buttons report, and the rescue form they fill. */
function effectsTable(sideEffects, lists, actions) {
  const head = ['Side effect', 'Severity', 'Onset', 'Resolved'];
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data-table effects' },
    h('caption', {}, 'Side effects'),
    h('thead', {}, h('tr', {},
      head.map((name) => h('th', { scope: 'col' }, name)),
      actions && h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    h('tbody', {}, sideEffects.map((effect) => {
      const labelId = `side-effect-${effect.id}-label`;
      return h('tr', { 'data-side-effect-id': effect.id },
        h('th', { scope: 'row', id: labelId }, effect.label),
        h('td', {}, labelOf(lists.severities, effect.severity)),
        h('td', {}, localTime(effect.onset_time), lateTag(effect)),
        h('td', {}, effect.resolved_at
          ? `${localTime(effect.resolved_at)} · ${effect.resolved_by}`
          : h('span', { class: 'tag open' }, 'open')),
        actions && h('td', {}, !effect.resolved_at && h('div', { class: 'actions' }, effectActions(effect, labelId, actions))));
    }))));
}

function effectActions(effect, labelId, { notes, reload, rescue }) {
  const resolve = h('button', { type: 'button', class: 'secondary small', 'aria-describedby': labelId }, 'Mark resolved');
  const give = h('button', { type: 'button', class: 'secondary small', 'aria-describedby': labelId }, 'Give rescue med');
  resolve.addEventListener('click', async () => {
    // Resolved as of now: the button is pressed when the nurse sees it has passed.
    const saved = await save(resolve, notes, () => resolveSideEffect(effect.id, clinicNow().toISOString()));
    if (!saved) return;
    notes.saved(`${saved.label} marked resolved at ${localTime(saved.resolved_at)}`);
    reload(notes);
  });
  give.addEventListener('click', () => rescue.treat(effect));
  return [resolve, give];
}

function effectForm(session, lists, reload) {
  const effect = choiceSelect('side-effect', lists.side_effects);
  const other = otherField(effect, 'side-effect-other', 'Other side effect', 'side_effect_other');
  const severity = choiceSelect('side-effect-severity', lists.severities);
  const onset = clockTime('side-effect-onset');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add side effect');
  const notes = notices();
  const form = h('form', { class: 'effect-form', novalidate: true, 'aria-label': 'Add a side effect' },
    h('div', { class: 'fields' },
      field('Side effect', effect),
      other.node,
      field('Severity', severity),
      field('Onset time', onset.input)),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('focusin', onset.catchUp);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => addSideEffect({
      session_id: session.id,
      effect: effect.value || null,
      other: other.value(),
      severity: severity.value || null,
      onset_time: await onset.instant(session.id),
    }));
    if (!saved) return;
    notes.saved(`Side effect saved at ${localTime(saved.recorded_at)}`);
    form.reset();
    other.sync();
    onset.reset();
    effect.focus();
    reload(notes);
  });
  return form;
}

/**
 * The rescue medication form. `treat(effect)` fills the indication from a charted side effect and
 * links the medication to it, as the "Give rescue med" button beside that effect asks.
 */
function interventionForm(session, lists, reload) {
  const medication = choiceSelect('rescue-medication', lists.rescue_medications);
  const other = otherField(medication, 'rescue-other', 'Other medication', 'rescue_other');
  const dose = h('input', { id: 'rescue-dose', type: 'number', step: 'any', inputmode: 'decimal' });
  const unit = choiceSelect('rescue-unit', lists.dose_units);
  const route = choiceSelect('rescue-route', lists.routes);
  const given = clockTime('rescue-time');
  const indication = h('input', { id: 'rescue-indication', type: 'text', autocomplete: 'off' });
  const effect = h('input', { id: 'rescue-effect', type: 'text', autocomplete: 'off' });
  const counts = [charCount(indication, 'rescue_indication'), charCount(effect, 'rescue_effect')];
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add rescue medication');
  const notes = notices();
  const linkLine = h('p', { class: 'linked', hidden: true });
  const form = h('form', { class: 'rescue-form', novalidate: true, 'aria-label': 'Add a rescue medication' },
    linkLine,
    h('div', { class: 'fields' },
      field('Medication', medication),
      other.node,
      field('Dose', dose),
      field('Unit', unit),
      field('Route', route),
      field('Time given', given.input),
      field('Indication', indication, counts[0].node),
      field('Effect', effect, ['optional · ', counts[1].node])),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('focusin', given.catchUp);

  let linked = null; // the side effect this medication treats, if it came from "Give rescue med"
  const link = (sideEffect) => {
    linked = sideEffect;
    linkLine.hidden = !sideEffect;
    if (!sideEffect) return;
    const unlink = h('button', { type: 'button', class: 'secondary small' }, 'Not for this side effect');
    unlink.addEventListener('click', () => {
      link(null);
      medication.focus();
    });
    linkLine.replaceChildren(`For the side effect ${sideEffect.label} (onset ${localTime(sideEffect.onset_time)}) `, unlink);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => addIntervention({
      session_id: session.id,
      medication: medication.value || null,
      other: other.value(),
      dose: numberOrNull(dose),
      unit: unit.value || null,
      route: route.value || null,
      clinical_time: await given.instant(session.id),
      indication: indication.value,
      side_effect_id: linked?.id ?? null,
      effect: effect.value,
    }));
    if (!saved) return;
    notes.saved(`Rescue medication saved at ${localTime(saved.recorded_at)}`);
    form.reset();
    other.sync();
    for (const count of counts) count.update();
    given.reset();
    link(null);
    medication.focus();
    reload(notes);
  });

  return {
    form,
    treat(sideEffect) {
      link(sideEffect);
      indication.value = sideEffect.label;
      counts[0].update();
      notes.clear();
      medication.focus({ preventScroll: true });
      medication.scrollIntoView({ block: 'center' });
    },
  };
}

function interventionsTable(interventions, lists) {
  const head = ['Time', 'Medication', 'Dose', 'Route', 'Indication', 'Effect', 'By'];
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data-table interventions' },
    h('caption', {}, 'Rescue medications given'),
    h('thead', {}, h('tr', {}, head.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, interventions.map((given) => h('tr', { 'data-intervention-id': given.id },
      h('th', { scope: 'row' }, localTime(given.clinical_time), lateTag(given)),
      h('td', {}, given.name),
      h('td', {}, `${given.dose} ${labelOf(lists.dose_units, given.unit)}`),
      h('td', {}, labelOf(lists.routes, given.route)),
      h('td', {}, given.indication),
      h('td', {}, given.effect ?? '—'),
      h('td', {}, given.entered_by))))));
}
