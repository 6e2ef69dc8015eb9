-- Runs with search_path set to the tenant's schema alone: every name here lands in it.
-- No custom types (enums) in tenant schemas: diesel caches type OIDs per connection by
-- name, which would leak across tenants. Closed sets are text with CHECK constraints.

CREATE TABLE stores (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code             text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    domain           text UNIQUE CHECK (domain = lower(domain)),
    locale           text NOT NULL DEFAULT 'en-US',
    default_currency text NOT NULL CHECK (default_currency ~ '^[A-Z]{3}$'),
    theme            text,
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
