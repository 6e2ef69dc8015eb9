-- A tenant's own query-cost budget: the points its bucket holds and regains per second.
-- NULL means the server's default (serve --tenant-budget / --tenant-restore-rate).
ALTER TABLE control.tenants
    ADD COLUMN query_budget bigint CHECK (query_budget >= 0),
    ADD COLUMN query_restore_rate bigint CHECK (query_restore_rate >= 0);
