DROP TRIGGER store_domains_changed ON control.store_domains;
DROP TRIGGER api_keys_changed ON control.api_keys;
DROP TRIGGER tenants_changed ON control.tenants;
DROP FUNCTION control.notify_lookup_change();
