DROP TABLE bundle_components;
