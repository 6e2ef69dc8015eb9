ALTER TABLE control.api_keys DROP CONSTRAINT api_keys_staff_only_admin, DROP COLUMN staff_id;
