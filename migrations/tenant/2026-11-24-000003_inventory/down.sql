DROP TABLE inventory_movements;
DROP TABLE inventory;
