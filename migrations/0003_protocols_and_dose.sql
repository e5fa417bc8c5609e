-- The protocol library and each session's dose, as planned at its start (weight, mg/kg, totals and
-- the arithmetic shown to the nurse), with who confirmed a dose above the soft limit and why.

CREATE TABLE protocols (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT NOT NULL UNIQUE,
    drug                    TEXT NOT NULL,
    route                   TEXT NOT NULL,
    dose_mg_per_kg          REAL NOT NULL CHECK (dose_mg_per_kg > 0),
    duration_min            INTEGER NOT NULL CHECK (duration_min > 0),
    concentration_mg_per_ml REAL NOT NULL CHECK (concentration_mg_per_ml > 0),
    soft_limit_mg_per_kg    REAL NOT NULL,
    hard_limit_mg_per_kg    REAL NOT NULL,
    vitals_every_min        INTEGER NOT NULL CHECK (vitals_every_min > 0),
    observation_min         INTEGER NOT NULL CHECK (observation_min >= 0),
    hold_sbp                INTEGER NOT NULL,
    hold_dbp                INTEGER NOT NULL,
    -- JSON array of outcome scale ids, e.g. ["phq9","gad7"]
    outcome_scales          TEXT NOT NULL DEFAULT '[]',
    active                  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    CHECK (soft_limit_mg_per_kg <= hard_limit_mg_per_kg)
) STRICT;

-- The clinical reference's defaults: 0.5 mg/kg over 40 min (0.75 mg/kg/h) and over 100 min;
-- soft limit 0.75 mg/kg, hard limit 1.5 mg/kg; vitals every 10 min; hold above 140/90.
INSERT INTO protocols (name, drug, route, dose_mg_per_kg, duration_min, concentration_mg_per_ml,
                       soft_limit_mg_per_kg, hard_limit_mg_per_kg, vitals_every_min, observation_min,
                       hold_sbp, hold_dbp, outcome_scales)
VALUES ('Ketamine IV 0.5 mg/kg over 40 min', 'ketamine', 'IV', 0.5, 40, 1.0, 0.75, 1.5, 10, 60, 140, 90, '["phq9","gad7"]'),
       ('Ketamine IV 0.5 mg/kg over 100 min', 'ketamine', 'IV', 0.5, 100, 1.0, 0.75, 1.5, 10, 60, 140, 90, '["phq9","gad7"]');

ALTER TABLE sessions ADD COLUMN protocol_id INTEGER REFERENCES protocols (id);
-- JSON of the dose plan as started (src/protocols.rs DosePlan); NULL for sessions started before protocols.
ALTER TABLE sessions ADD COLUMN dose_plan TEXT;
ALTER TABLE sessions ADD COLUMN dose_override_reason TEXT;
ALTER TABLE sessions ADD COLUMN dose_override_by INTEGER REFERENCES users (id);
