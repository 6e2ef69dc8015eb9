ALTER TABLE control.tenants DROP COLUMN query_budget, DROP COLUMN query_restore_rate;
