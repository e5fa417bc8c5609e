// Keyboard-first charting on the session screen: Alt+key shortcuts to each form, and the list of them
// the screen shows. (The clinical-time fields that keep to the clock are `clockTime` in clinical-time.js.)

import { h } from '../lib/dom.js';
import { whenRestored } from '../shell/parked-views.js';

// `code` is the physical key: on a Mac, Option+V types "√" as its `key`.
const SHORTCUTS = [
  { code: 'KeyV', keys: 'Alt+V', target: 'vitals-sbp', does: 'vitals (Systolic BP; Shift+Tab for the time)' },
  { code: 'KeyS', keys: 'Alt+S', target: 'side-effect', does: 'side effect' },
  { code: 'KeyN', keys: 'Alt+N', target: 'note-text', does: 'note' },
  { code: 'KeyM', keys: 'Alt+M', target: 'rescue-medication', does: 'rescue medication' },
  { code: 'KeyA', keys: 'Alt+A', target: 'aldrete-activity', does: 'Aldrete score (Activity)' },
];

/**
 * Listens for the shortcuts while `screen` is on show. Once it is left (or redrawn) the listener
 * removes itself; behind the lock screen it waits and listens again when the screen is back.
 */
export function registerShortcuts(screen) {
  for (const { target, keys } of SHORTCUTS) screen.querySelector(`#${target}`)?.setAttribute('aria-keyshortcuts', keys);
  const onKey = (event) => {
    if (!screen.isConnected) {
      document.removeEventListener('keydown', onKey);
      whenRestored(screen).then(() => document.addEventListener('keydown', onKey));
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const shortcut = SHORTCUTS.find(({ code }) => code === event.code);
    // Forms that are not on screen (signed, discharged, a correction open) simply have no target.
    const target = shortcut && screen.querySelector(`#${shortcut.target}`);
    if (!target) return;
    event.preventDefault();
    target.focus({ preventScroll: true });
    // Centred, so the sticky header bar never covers the field.
    target.scrollIntoView({ block: 'center' });
  };
  document.addEventListener('keydown', onKey);
}

/** The shortcuts as the screen lists them, folded away until asked for. */
export function shortcutsHelp() {
  return h('details', { class: 'shortcuts' },
    h('summary', {}, 'Keyboard shortcuts'),
    h('ul', {},
      SHORTCUTS.map(({ keys, does }) => h('li', {}, h('kbd', {}, keys), ` ${does}`)),
      h('li', {}, h('kbd', {}, 'Enter'), ' in the last vitals field charts the row')));
}
