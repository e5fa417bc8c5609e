// The count beside a limited text field ("1,234 / 2,000 characters"), warning once over the core's
// limit. The limit is the core's (`limits` of its reference lists), never retyped here, and nothing
// typed is ever cut: a text over the limit is refused by the core with its message, and stays in the
// box as typed.

import { h } from './dom.js';
import { lists } from './lists.js';

const figure = new Intl.NumberFormat('en-US');

/**
 * Counts `input` against `limits[key]`. Returns `node` (place it beside the field, e.g. as the
 * field's hint) and `update()` for a value set by code (typing updates it by itself).
 */
export function charCount(input, key) {
  const node = h('span', { class: 'char-count' });
  let max = null;
  // As the core counts: trimmed, by character (a code point; an emoji is one, as in Rust).
  const update = () => {
    const used = [...input.value.trim()].length;
    node.textContent = max === null ? '' : `${figure.format(used)} / ${figure.format(max)} characters`;
    node.classList.toggle('over', max !== null && used > max);
  };
  input.addEventListener('input', update);
  lists().then(({ limits }) => {
    max = limits[key] ?? null;
    update();
  }).catch(() => {}); // the count is a help; without the lists the core still says what is too long
  return { node, update };
}
