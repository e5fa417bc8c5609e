-- A patient's weight as the nurse typed it: the figure and its unit (kg or lb), beside weight_kg,
-- which keeps the exact kg derived from it (src/domain/weight.rs). Patients recorded before this have
-- neither: they read as typed in kg, their stored weight_kg, until their record is next edited.
-- A session's dose plan keeps its weight inside its JSON (dose_plan), so sessions need no column;
-- plans stored before this read their weight_kg as typed in kg.
ALTER TABLE patients ADD COLUMN weight_typed REAL CHECK (weight_typed IS NULL OR weight_typed > 0);
ALTER TABLE patients ADD COLUMN weight_unit TEXT
    CHECK (weight_unit IS NULL AND weight_typed IS NULL OR weight_unit IN ('kg', 'lb') AND weight_typed IS NOT NULL);
