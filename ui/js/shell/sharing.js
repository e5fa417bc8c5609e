// How this laptop's sharing with the clinic server stands (`Status.sharing`), in the core's words,
// on every screen while someone is signed in. Read again every 5 s through `app_status`, which is
// not activity: it never holds off the automatic lock.

import { appStatus } from './api.js';

const line = document.getElementById('sharing');
const EVERY_MS = 5000;
let inApp = false;

function draw(sharing) {
  line.textContent = sharing?.words ?? '';
  line.hidden = !sharing;
  line.classList.toggle('down', Boolean(sharing && !sharing.answering));
}

/** Follows the status the whole screen was just drawn for; any state but "ready" hides the line. */
export function showSharing(status) {
  inApp = status?.state === 'ready';
  draw(inApp ? status.sharing : null);
}

setInterval(() => {
  if (!inApp) return;
  // A failure leaves the line as it was; the next read redraws it.
  appStatus().then((status) => inApp && status?.state === 'ready' && draw(status.sharing), () => {});
}, EVERY_MS);
