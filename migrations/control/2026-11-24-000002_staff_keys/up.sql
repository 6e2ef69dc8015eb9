-- An admin key may belong to one staff member; what is done with it is recorded as theirs.
ALTER TABLE control.api_keys
    ADD COLUMN staff_id text CHECK (staff_id ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,119}$'),
    ADD CONSTRAINT api_keys_staff_only_admin CHECK (staff_id IS NULL OR role = 'admin');
