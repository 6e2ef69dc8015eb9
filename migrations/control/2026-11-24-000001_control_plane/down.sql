DROP TABLE control.store_domains;
DROP TABLE control.api_keys;
DROP TABLE control.tenants;
