// How a patient and a session's status look wherever they appear: lists, tables, the patient banner.

import { h } from './dom.js';
import { patientDetails, patientName, SESSION_STATUS } from './format.js';

/** "Open", "Signed by nurse" or "Co-signed", coloured by how far the session has got. */
export const statusBadge = (status) => h('span', { class: `badge status-${status}` }, SESSION_STATUS[status]);

/** Name in bold, then DOB, MRN and weight: how a patient is identified everywhere. */
export const patientLine = (patient) => [
  h('strong', {}, patientName(patient)),
  ` · ${patientDetails(patient)}`,
];
