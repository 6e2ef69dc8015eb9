-- How a product appears in one store. No row: visible, with the product's own text and
-- prices. The override is an amount in the currency it was set in (the store's currency
-- then), so a later change of the store's currency cannot silently re-denominate it.
CREATE TABLE store_products (
    store_id         uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    product_id       uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    visible          boolean NOT NULL DEFAULT true,
    price_override   numeric(19, 4) CHECK (price_override >= 0),
    override_currency text CHECK (override_currency ~ '^[A-Z]{3}$'),
    name             text CHECK (length(name) BETWEEN 1 AND 300),
    description      text,
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (store_id, product_id),
    CONSTRAINT store_products_override_currency CHECK ((price_override IS NULL) = (override_currency IS NULL))
);
CREATE INDEX store_products_product_idx ON store_products (product_id);
