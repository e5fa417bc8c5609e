-- Patients, today's sessions and their vitals flowsheet.
-- Times are RFC 3339 UTC text; dates are local calendar dates (YYYY-MM-DD).
-- Range rules live in the core (src/vitals.rs, src/patients.rs); the CHECKs here are a last safety net.

CREATE TABLE patients (
    id            INTEGER PRIMARY KEY,
    family_name   TEXT NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    given_names   TEXT NOT NULL CHECK (length(given_names) BETWEEN 1 AND 100),
    -- lower-cased "family given" for search
    name_key      TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    mrn           TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(mrn) BETWEEN 1 AND 32),
    weight_kg     REAL NOT NULL CHECK (weight_kg > 0),
    created_at    TEXT NOT NULL
) STRICT;

CREATE INDEX patients_by_name ON patients (name_key);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    session_date TEXT NOT NULL,
    started_at   TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_by_patient ON sessions (patient_id, session_date);

CREATE TABLE vitals (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    clinical_time TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    sbp           INTEGER NOT NULL,
    dbp           INTEGER NOT NULL,
    map           INTEGER NOT NULL,
    hr            INTEGER NOT NULL CHECK (hr > 0),
    spo2          INTEGER NOT NULL CHECK (spo2 BETWEEN 0 AND 100),
    rr            INTEGER NOT NULL CHECK (rr > 0),
    temp_c        REAL,
    etco2         INTEGER,
    CHECK (sbp > dbp AND dbp > 0)
) STRICT;

CREATE INDEX vitals_by_session ON vitals (session_id, clinical_time);
