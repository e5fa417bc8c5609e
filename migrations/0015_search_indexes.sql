-- Indexes the hot paths need at ten years. Patient search matches the start of the family name,
-- the given names or the MRN, each through an index. `given_key` is "given family" in lower case,
-- as `name_key` is "family given" (both written by the program, which lower-cases all of Unicode;
-- rows from before this migration get SQLite's lower(), which folds only A-Z).
ALTER TABLE patients ADD COLUMN given_key TEXT NOT NULL DEFAULT '';
UPDATE patients SET given_key = lower(given_names || ' ' || family_name);
CREATE INDEX patients_by_given_key ON patients (given_key);

-- Alerts are found by the reading that raised them (the foreign key's child side), without a scan.
CREATE INDEX alerts_by_vitals ON alerts (vitals_id);
