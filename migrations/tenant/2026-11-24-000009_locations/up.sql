-- Stock locations (warehouses, shops, POS). Every tenant has a DEFAULT location, which
-- holds the stock that was kept per variant before locations existed; stock is now per
-- variant and location, and a variant's stock is the sum over its locations.
CREATE TABLE locations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code       text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       text NOT NULL DEFAULT 'warehouse' CHECK (kind IN ('warehouse', 'store', 'pos')),
    is_default boolean NOT NULL DEFAULT false,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX locations_one_default ON locations (is_default) WHERE is_default;
INSERT INTO locations (code, name, is_default) VALUES ('default', 'Default location', true);

ALTER TABLE inventory ADD COLUMN location_id uuid REFERENCES locations (id) ON DELETE RESTRICT;
UPDATE inventory SET location_id = (SELECT id FROM locations WHERE is_default);
ALTER TABLE inventory ALTER COLUMN location_id SET NOT NULL;
ALTER TABLE inventory DROP CONSTRAINT inventory_pkey;
ALTER TABLE inventory ADD PRIMARY KEY (variant_id, location_id);

ALTER TABLE inventory_movements ADD COLUMN location_id uuid REFERENCES locations (id) ON DELETE RESTRICT;
UPDATE inventory_movements SET location_id = (SELECT id FROM locations WHERE is_default);
ALTER TABLE inventory_movements ALTER COLUMN location_id SET NOT NULL;
