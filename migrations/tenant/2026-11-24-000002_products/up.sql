-- The core of the catalog: products, their variants and images. Money is numeric(19,4)
-- with an ISO 4217 code beside it, never a float. Closed sets are text with CHECKs.

CREATE TABLE products (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description     text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    product_type    text NOT NULL DEFAULT 'simple' CHECK (product_type IN ('simple', 'configurable', 'bundle', 'virtual')),
    base_price      numeric(19, 4) NOT NULL CHECK (base_price >= 0),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    seo_title       text,
    seo_description text,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Keyset pagination by creation time (the storefront's default order), per status.
CREATE INDEX products_created_idx ON products (created_at, id);
CREATE INDEX products_status_created_idx ON products (status, created_at, id);

CREATE TABLE product_variants (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id    uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku           text NOT NULL UNIQUE CHECK (length(sku) BETWEEN 1 AND 64),
    name          text NOT NULL DEFAULT '',
    -- NULL: the product's base price.
    price         numeric(19, 4) CHECK (price >= 0),
    -- Option values such as {"size": "M", "colour": "red"}.
    option_values jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(option_values) = 'object'),
    position      integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX product_variants_product_idx ON product_variants (product_id, position, id);

CREATE TABLE product_images (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    url        text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    alt        text NOT NULL DEFAULT '',
    position   integer NOT NULL DEFAULT 0
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position, id);
