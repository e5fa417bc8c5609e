// The addresses of the patient and session screens, for links to them (shell/main.js routes them).

export const patientHref = (id) => `#/patient/${encodeURIComponent(id)}`;
export const sessionHref = (id) => `#/session/${encodeURIComponent(id)}`;
