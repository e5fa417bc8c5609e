// Router: one screen per location.hash. Each visit gets a fresh root element, so a slow answer
// for a screen the nurse has already left lands in a detached element and is never seen.

import { setBanner } from './views/common.js';
import { renderPatient } from './views/patient.js';
import { renderPatients } from './views/patients.js';
import { renderSession } from './views/session.js';

const routes = [
  [/^#\/patients$/, renderPatients],
  [/^#\/patient\/([^/]+)$/, renderPatient],
  [/^#\/session\/([^/]+)$/, renderSession],
];

const view = document.getElementById('view');

// IDs reach the hash as text; the core's are numbers (SQLite rowids), so digits go back as a number.
function toId(text) {
  const id = decodeURIComponent(text);
  return /^\d+$/.test(id) ? Number(id) : id;
}

function route() {
  for (const [pattern, render] of routes) {
    const match = pattern.exec(location.hash);
    if (match) {
      const root = document.createElement('div');
      view.replaceChildren(root);
      setBanner(null);
      render(root, ...match.slice(1).map(toId));
      return;
    }
  }
  location.replace('#/patients');
}

window.addEventListener('hashchange', route);
route();
