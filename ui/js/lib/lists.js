// The fixed lists the forms choose from (indications, side effects, rescue medications, outcome
// scales ...), as the core defines them. Fetched once per window; they never change while it is open.

import { referenceLists } from '../shell/api.js';

let cached = null;

/** The core's `ReferenceLists`; a failed fetch is not kept, so the next screen asks again. */
export function lists() {
  cached ??= referenceLists().catch((error) => {
    cached = null;
    throw error;
  });
  return cached;
}

/** The label of `name` in one of the lists, or the name itself if it is not there. */
export const labelOf = (list, name) => list.find((choice) => choice.name === name)?.label ?? name;

/** The label of an outcome scale (`scales`: the list's `ScaleSpec`s), or its name if it is not there. */
export const scaleLabel = (scales, name) => scales.find((spec) => spec.scale === name)?.label ?? name;
