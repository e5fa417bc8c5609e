// Day list (#/today), where nurses and physicians start: the day's sessions by chair and start
// time, where each one has got to, how far it is signed and the patient's flags. It asks the core
// again every minute while on screen, so stages change without a reload.

import { statusBadge } from '../lib/display.js';
import { field, h } from '../lib/dom.js';
import { dateInput } from '../lib/form.js';
import { localTime, todayLocal } from '../lib/format.js';
import { cameBack, repeatWhileShown } from '../lib/lifecycle.js';
import { sessionHref } from '../lib/links.js';
import { dayList } from '../shell/api.js';

const REFRESH_MS = 60_000;

export function renderDayList(root) {
  const heading = h('h1', { id: 'day-heading' }, "Today's sessions");
  const day = dateInput('day-date', todayLocal());
  const list = h('div');
  const updated = h('p', { class: 'meta' });
  let asked = 0;
  // What the list shows, so an unchanged answer leaves it (and the keyboard focus in it) alone.
  let drawn = '';
  // The day as typed (the core reads it), or null for today: until another day is chosen, the list
  // moves on to the new day at midnight.
  let chosen = null;

  // Each answer is for the day asked; one for a day since changed is dropped. The field then shows
  // the day as the core read it, in ISO, unless the nurse is typing another (`typed`: she has just
  // finished typing this one).
  async function refresh(typed = false) {
    const ask = ++asked;
    try {
      const { date, entries } = await dayList(chosen);
      if (ask !== asked) return;
      if (typed || document.activeElement !== day) day.value = date;
      if (date === todayLocal()) chosen = null;
      heading.textContent = date === todayLocal() ? "Today's sessions" : `Sessions on ${date}`;
      // An empty day's words depend on whether it is today.
      const key = JSON.stringify([date, date === todayLocal(), entries]);
      if (key !== drawn) {
        drawn = key;
        list.replaceChildren(entries.length === 0 ? emptyDay(date) : dayTable(entries));
      }
      updated.textContent = `Updated at ${localTime()}; refreshed every minute.`;
    } catch (error) {
      if (await cameBack(list, error)) refresh();
      else if (ask === asked) {
        drawn = '';
        list.replaceChildren(h('p', { role: 'alert', class: 'error' }, error.message));
      }
    }
  }
  day.addEventListener('change', () => {
    chosen = day.value.trim() || null;
    refresh(true);
  });

  root.replaceChildren(
    h('div', { class: 'page-head' }, heading),
    h('section', { class: 'panel', 'aria-labelledby': 'day-heading' },
      h('div', { class: 'fields' }, field('Day', day)),
      list,
      updated));
  refresh();
  repeatWhileShown(root, refresh, REFRESH_MS);
}

function emptyDay(date) {
  if (date !== todayLocal()) return h('p', { class: 'empty' }, `No sessions on ${date}.`);
  return h('p', { class: 'empty' },
    'No sessions yet today. Start one from ', h('a', { href: '#/patients' }, "a patient's page"), '.');
}

function dayTable(entries) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data-table day-list' },
    h('thead', {}, h('tr', {},
      ['Chair', 'Patient', 'MRN', 'Started', 'Stage', 'Infusion', 'Status', 'Flags']
        .map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, entries.map((entry) => h('tr', {},
      h('td', { class: 'chair' }, entry.chair ?? '—', entry.laptop && h('span', { class: 'meta' }, ` (laptop ${entry.laptop})`)),
      h('th', { scope: 'row' }, h('a', { href: sessionHref(entry.session_id) }, entry.patient_name)),
      h('td', {}, entry.mrn),
      h('td', { class: 'time' }, localTime(entry.started_at)),
      h('td', {}, h('span', { class: `badge stage-${entry.stage}` }, entry.stage_label)),
      h('td', { class: 'infusion' }, infusionCell(entry)),
      h('td', {}, statusBadge(entry.status)),
      h('td', {}, entry.flags.length > 0
        && h('ul', { class: 'flag-tags' }, entry.flags.map((flag) => h('li', { class: 'flag-tag' }, flag)))))))));
}

/** While the infusion runs: mg given against the plan and the planned end; past the plan in red. */
function infusionCell({ mg_given: given, progress }) {
  if (!progress) return '—';
  const past = given > progress.alert_above_mg;
  return h('span', { class: past || progress.stop_due ? 'attention' : null },
    `${given} of ${progress.planned_mg} mg`,
    progress.planned_end && ` · planned end ${localTime(progress.planned_end)}`,
    progress.stop_due && h('strong', {}, ' · chart the stop'));
}
