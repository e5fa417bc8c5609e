-- How far past its planned dose (percent) a running infusion goes before it raises an alert; each
-- protocol sets its own, 10 % unless changed.
ALTER TABLE protocols ADD COLUMN overrun_margin_pct REAL NOT NULL DEFAULT 10
    CHECK (overrun_margin_pct >= 0 AND overrun_margin_pct <= 100);
