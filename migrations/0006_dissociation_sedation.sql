-- Dissociation (the protocol's 0–10 rating) and sedation (MOAA/S 0–5, 5 = responds readily to name)
-- charted with any vitals reading.
ALTER TABLE vitals ADD COLUMN dissociation INTEGER CHECK (dissociation IS NULL OR dissociation BETWEEN 0 AND 10);
ALTER TABLE vitals ADD COLUMN moaas INTEGER CHECK (moaas IS NULL OR moaas BETWEEN 0 AND 5);
