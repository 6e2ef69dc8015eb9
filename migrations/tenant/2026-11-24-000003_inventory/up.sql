-- Stock per variant. available = quantity - reserved, and the CHECKs make "never
-- negative, never oversold" a property of the table, not of the code that writes it.
CREATE TABLE inventory (
    variant_id uuid PRIMARY KEY REFERENCES product_variants (id) ON DELETE CASCADE,
    quantity   integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    reserved   integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT inventory_reserved_within_quantity CHECK (reserved <= quantity)
);

-- Every change of a quantity, with its reason: the audit trail of stock.
CREATE TABLE inventory_movements (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    variant_id     uuid NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    delta          integer NOT NULL,
    quantity_after integer NOT NULL,
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX inventory_movements_variant_idx ON inventory_movements (variant_id, created_at);
