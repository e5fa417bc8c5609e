// A screen's life beside the lock screen: it may be left (navigated away from, or redrawn) or put
// away behind the lock screen and brought back. Fetching its data, asking again once it is back,
// and work repeated while it is on show.

import { whenRestored } from '../shell/parked-views.js';
import { h } from './dom.js';

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
