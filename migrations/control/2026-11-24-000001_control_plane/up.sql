-- The control plane: who the tenants are, which API keys name them, which store domains
-- point at them. Every name is schema-qualified: this schema is never on a tenant's
-- search_path, and tenant code reaches it only through these qualified names.

CREATE TABLE control.tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE
                CHECK (slug ~ '^[a-z][a-z0-9_]{1,39}$' AND slug NOT LIKE 'pg\_%'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    schema_name text NOT NULL UNIQUE CHECK (schema_name = 't_' || slug),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    shard       text NOT NULL DEFAULT 'default',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE control.api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES control.tenants (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('storefront', 'admin')),
    -- SHA-256 of the token; the token itself is shown once and never stored.
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    -- The first characters of the token, so an operator can tell keys apart.
    token_prefix text NOT NULL,
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX api_keys_tenant_idx ON control.api_keys (tenant_id);

CREATE TABLE control.store_domains (
    domain     text PRIMARY KEY CHECK (domain = lower(domain) AND length(domain) BETWEEN 1 AND 253),
    tenant_id  uuid NOT NULL REFERENCES control.tenants (id) ON DELETE CASCADE,
    store_code text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, store_code)
);
