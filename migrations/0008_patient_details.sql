-- The rest of the patient record (clinical reference, "Patient"): sex, height, allergies, indication,
-- emergency contact, escort, and the contraindication screen and flagged medications as JSON arrays
-- of names (src/patients.rs). Patients charted before this get "other" / "not recorded" values that
-- the next edit of their record replaces.

ALTER TABLE patients ADD COLUMN sex TEXT NOT NULL DEFAULT 'other' CHECK (sex IN ('female', 'male', 'other'));
ALTER TABLE patients ADD COLUMN height_cm REAL CHECK (height_cm IS NULL OR height_cm > 0);
ALTER TABLE patients ADD COLUMN allergies TEXT NOT NULL DEFAULT 'Not recorded';
ALTER TABLE patients ADD COLUMN indication TEXT NOT NULL DEFAULT 'other';
ALTER TABLE patients ADD COLUMN indication_other TEXT;
ALTER TABLE patients ADD COLUMN emergency_contact TEXT;
ALTER TABLE patients ADD COLUMN escort TEXT;
ALTER TABLE patients ADD COLUMN contraindications TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(contraindications));
ALTER TABLE patients ADD COLUMN flagged_medications TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flagged_medications));
ALTER TABLE patients ADD COLUMN updated_at TEXT;
ALTER TABLE patients ADD COLUMN updated_by INTEGER REFERENCES users (id);
