-- Servers keep the lookups every request makes (key by token, tenant by slug, tenant by
-- store domain) in memory. Any change to the tables they come from notifies them when its
-- transaction commits, from whichever process made it, and they forget what they kept.
CREATE FUNCTION control.notify_lookup_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('storegraph_control', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_changed AFTER UPDATE OR DELETE ON control.tenants
    FOR EACH STATEMENT EXECUTE FUNCTION control.notify_lookup_change();
CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON control.api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION control.notify_lookup_change();
CREATE TRIGGER store_domains_changed AFTER UPDATE OR DELETE ON control.store_domains
    FOR EACH STATEMENT EXECUTE FUNCTION control.notify_lookup_change();
