// "Print report" and "Save report as PDF…": the core writes the PDF (browsers in the webview cannot
// print on Linux) and either opens it in the system's PDF viewer, ready to print, or saves it where
// the person chooses. Every print is in the audit trail.

import { choosePdfPath, printReport } from '../shell/api.js';
import { h } from './dom.js';
import { notices, save } from './save.js';

/** The two buttons for `what` (`{session_id}` or `{patient_id}`); `name` is the suggested file name. */
export function reportActions(what, label, name) {
  const print = h('button', { type: 'button', class: 'secondary' }, `Print ${label}`);
  const saveAs = h('button', { type: 'button', class: 'secondary' }, `Save ${label} as PDF…`);
  const notes = notices();
  print.addEventListener('click', async () => {
    const done = await save(print, notes, () => printReport(what));
    if (done) notes.saved(`Report ${done.report_id} (${done.pages} ${done.pages === 1 ? 'page' : 'pages'}) opened in the PDF viewer, ready to print.`);
  });
  saveAs.addEventListener('click', async () => {
    const done = await save(saveAs, notes, async () => {
      const path = await choosePdfPath(name);
      return path ? printReport(what, path) : null;
    });
    if (done) notes.saved(`Report ${done.report_id} saved to ${done.path}.`);
  });
  return h('div', { class: 'report-actions' }, print, saveAs, notes.node);
}
