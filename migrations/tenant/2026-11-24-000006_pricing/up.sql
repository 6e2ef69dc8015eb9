-- Price lists: prices per variant in one currency, optionally only for one store and/or one
-- sales channel, optionally only in a time window. Where several lists match a sale, the
-- highest priority wins (then the newest). See pricing/sql.rs for the precedence.
CREATE TABLE price_lists (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    currency   text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    store_id   uuid REFERENCES stores (id) ON DELETE CASCADE,
    channel    text CHECK (channel IN ('online', 'pos', 'external')),
    starts_at  timestamptz,
    ends_at    timestamptz,
    priority   integer NOT NULL DEFAULT 0,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT price_lists_window CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);

CREATE TABLE price_list_entries (
    price_list_id uuid NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
    variant_id    uuid NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    amount        numeric(19, 4) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (price_list_id, variant_id)
);
CREATE INDEX price_list_entries_variant_idx ON price_list_entries (variant_id, price_list_id);
