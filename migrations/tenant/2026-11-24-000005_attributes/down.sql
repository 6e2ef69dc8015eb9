DROP TABLE attribute_values;
ALTER TABLE products DROP COLUMN attribute_set_id;
DROP TABLE attribute_set_members;
DROP TABLE attribute_sets;
DROP TABLE attribute_options;
DROP TABLE attribute_definitions;
