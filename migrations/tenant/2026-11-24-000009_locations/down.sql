DELETE FROM inventory WHERE location_id <> (SELECT id FROM locations WHERE is_default);
ALTER TABLE inventory DROP CONSTRAINT inventory_pkey;
ALTER TABLE inventory DROP COLUMN location_id;
ALTER TABLE inventory ADD PRIMARY KEY (variant_id);
DELETE FROM inventory_movements WHERE location_id <> (SELECT id FROM locations WHERE is_default);
ALTER TABLE inventory_movements DROP COLUMN location_id;
DROP TABLE locations;
