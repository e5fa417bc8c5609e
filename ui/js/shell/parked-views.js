// While the screen is locked, the user's screen is taken out of the document (nothing of it can be
// seen or read from the page) and kept here, keyed by user id, exactly as it was: half-typed
// entries, open forms, focus. It comes back only for the same user.

const RESTORED = 'viewrestored';

const view = document.getElementById('view');
const banner = document.getElementById('patient-banner');
const parked = new Map();

/** Takes the screen (main's content and the patient banner) out of the document, for `userId`. */
export function park(userId) {
  const focused = view.contains(document.activeElement) ? document.activeElement : null;
  parked.set(userId, {
    nodes: [...view.childNodes],
    banner: [...banner.childNodes],
    bannerShown: !banner.hidden,
    hash: location.hash,
    scroll: window.scrollY,
    focused,
    parkedAt: new Date(),
  });
  view.replaceChildren();
  banner.replaceChildren();
  banner.hidden = true;
}

/** Puts `userId`'s screen back as it was; returns when it was put away, or null if there is none. */
export function restore(userId) {
  const saved = parked.get(userId);
  if (!saved) return null;
  parked.delete(userId);
  // Back to that screen's address without a hashchange, which would draw it afresh.
  history.replaceState(null, '', saved.hash || '#');
  view.replaceChildren(...saved.nodes);
  banner.replaceChildren(...saved.banner);
  banner.hidden = !saved.bannerShown;
  window.scrollTo(0, saved.scroll);
  saved.focused?.focus({ preventScroll: true });
  for (const node of saved.nodes) node.dispatchEvent(new Event(RESTORED));
  return saved.parkedAt;
}

/**
 * Resolves when the screen `node` belongs to comes back from behind the lock screen. For a screen
 * that was left (navigated away from, or redrawn) it never does, and is collected with it.
 */
export function whenRestored(node) {
  if (node.isConnected) return Promise.resolve();
  let top = node;
  while (top.parentNode) top = top.parentNode;
  return new Promise((resolve) => top.addEventListener(RESTORED, resolve, { once: true }));
}

/** Forgets every put-away screen: once nobody is signed in, no patient data stays in memory. */
export function discardAll() {
  parked.clear();
}
