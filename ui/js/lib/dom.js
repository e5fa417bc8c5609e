// Building DOM without innerHTML: every piece of data goes in as a text node or an attribute value.

/** createElement with attributes (null/false ones skipped, true ones present) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.flat().filter((child) => child != null && child !== false));
  return element;
}

/** A labelled form field; `hint` sits beside the label so the inputs of a row line up. */
export function field(label, input, hint) {
  const head = h('div', { class: 'field-head' }, h('label', { for: input.id }, label));
  if (hint) {
    const hintId = `${input.id}-hint`;
    input.setAttribute('aria-describedby', hintId);
    head.append(h('span', { id: hintId, class: 'hint' }, hint));
  }
  return h('div', { class: 'field' }, head, input);
}

/** A checkbox with its label beside it, so either can be clicked. */
export function checkbox(label, input) {
  return h('div', { class: 'check' }, input, h('label', { for: input.id }, label));
}
