-- What a BUNDLE product is made of: variants of other products, with quantities.
CREATE TABLE bundle_components (
    bundle_id    uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id   uuid NOT NULL REFERENCES product_variants (id) ON DELETE RESTRICT,
    quantity     integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    position     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (bundle_id, variant_id)
);
CREATE INDEX bundle_components_variant_idx ON bundle_components (variant_id);
