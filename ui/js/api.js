// The only module that talks to the Rust core (see CONTRACT.md). Every command takes `{ input }`.
// Rejections always come out as `{kind, message}`, so a view can show `.message` without checks.

async function call(command, input) {
  try {
    return await window.__TAURI__.core.invoke(command, { input });
  } catch (error) {
    throw normalise(error);
  }
}

// The core rejects with `{kind, message}`; anything else (IPC failure, a string, an Error) is ours.
function normalise(error) {
  if (error && typeof error.kind === 'string' && typeof error.message === 'string') return error;
  return { kind: 'internal', message: String(error) };
}

export const addPatient = (patient) => call('add_patient', patient);
export const searchPatients = (query) => call('search_patients', { query });
export const getPatient = (patientId) => call('get_patient', { patient_id: patientId });
export const startSession = (patientId) => call('start_session', { patient_id: patientId });
export const getSession = (sessionId) => call('get_session', { session_id: sessionId });
export const addVitals = (vitals) => call('add_vitals', vitals);
