// The fields of one vitals reading: the entry form and the correction form use the same ones.

import { field, h } from '../lib/dom.js';
import { numberOrNull } from '../lib/form.js';
import { clockTime } from './clinical-time.js';

const VITALS = [
  { key: 'sbp', id: 'vitals-sbp', label: 'Systolic BP (mmHg)' },
  { key: 'dbp', id: 'vitals-dbp', label: 'Diastolic BP (mmHg)' },
  { key: 'hr', id: 'vitals-hr', label: 'Heart rate (bpm)' },
  { key: 'spo2', id: 'vitals-spo2', label: 'SpO2 (%)' },
  { key: 'rr', id: 'vitals-rr', label: 'Respiratory rate (/min)' },
  { key: 'temp_c', id: 'vitals-temp', label: 'Temperature (°C)', step: '0.1', optional: true },
  { key: 'etco2', id: 'vitals-etco2', label: 'EtCO2 (mmHg)', optional: true },
  { key: 'dissociation', id: 'vitals-dissociation', label: 'Dissociation (0–10)', optional: true },
  { key: 'moaas', id: 'vitals-moaas', label: 'Sedation MOAA/S (0–5)', optional: true },
];

/**
 * The clinical time (`clockTime`: following the clock, or the stored reading's) and the readings,
 * filled from `from` (a stored Vitals) if given. `idSuffix` keeps the ids of a second form on the
 * page distinct.
 */
export function vitalsFields(idSuffix = '', from = null) {
  const time = clockTime(`clinical-time${idSuffix}`, { from: from?.clinical_time });
  const readings = VITALS.map((vital) => ({
    ...vital,
    input: h('input', {
      id: `${vital.id}${idSuffix}`,
      type: 'number',
      step: vital.step ?? '1',
      inputmode: vital.step ? 'decimal' : 'numeric',
      value: from?.[vital.key],
    }),
  }));
  const node = h('div', { class: 'fields vitals-fields' },
    field('Clinical time', time.input),
    readings.map(({ label, input, optional }) => field(label, input, optional && 'optional')));
  return { time, readings, node };
}

/** The reading as the core takes it, for session `sessionId`; throws if its time cannot be read. */
export async function readVitals({ time, readings }, sessionId) {
  return {
    clinical_time: await time.instant(sessionId),
    ...Object.fromEntries(readings.map(({ key, input }) => [key, numberOrNull(input)])),
  };
}
