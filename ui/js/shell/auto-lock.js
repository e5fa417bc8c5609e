// Auto-lock: a chart left open beside the chair locks itself after the clinic's set minutes without
// keyboard or pointer use. The core keeps its own clock; `touch` tells it someone is still here.

import { touch } from './api.js';
import { updateBackupWarning } from './backup-warning.js';
import { setAutoLockMinutes, status } from './state.js';

const TOUCH_EVERY_MS = 30_000;
const CHECK_EVERY_MS = 1_000;
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'mousedown', 'mousemove', 'wheel', 'touchstart'];

let onIdle = null; // set while the app is on screen for a signed-in user
let lastActivity = 0;
let lastTouch = 0;
let trailingTouch = null;

/** Starts counting idle time for the signed-in user; `idle()` runs once when the time is up. */
export function armAutoLock(idle) {
  onIdle = idle;
  lastActivity = Date.now();
}

export function disarmAutoLock() {
  onIdle = null;
  clearTimeout(trailingTouch);
  trailingTouch = null;
}

function activity() {
  if (!onIdle) return;
  lastActivity = Date.now();
  const wait = lastTouch + TOUCH_EVERY_MS - lastActivity;
  if (wait <= 0) sendTouch();
  // One more touch after a burst of activity, so the core's clock never starts before ours and
  // the core never locks while this screen still looks open.
  else trailingTouch ??= setTimeout(sendTouch, wait);
}

function sendTouch() {
  clearTimeout(trailingTouch);
  trailingTouch = null;
  if (!onIdle) return;
  lastTouch = Date.now();
  touch().then(
    (reported) => {
      setAutoLockMinutes(reported.auto_lock_minutes);
      updateBackupWarning(reported); // an automatic backup may have run, or the last one grown stale
    },
    // "locked" and "unauthenticated" are handled for every command (api.js); any other failure
    // only means the core's clock was not restarted, and its own lock then shows on the next command.
    () => {},
  );
}

function checkIdle() {
  const minutes = status()?.auto_lock_minutes;
  if (!onIdle || !minutes || Date.now() - lastActivity < minutes * 60_000) return;
  const idle = onIdle;
  disarmAutoLock();
  idle();
}

for (const type of ACTIVITY) window.addEventListener(type, activity, { capture: true, passive: true });
// A timer checked every second, rather than one long timeout, also catches a laptop waking from sleep.
setInterval(checkIdle, CHECK_EVERY_MS);
