-- Royalties: rules saying who earns what on which sales, and the allocations computed
-- from them per order line. A rule covers a product, a category (and every category
-- below it) or an attribute value (a brand); it pays a percentage of what was really paid
-- for the line, or a fixed amount per unit in one currency. Allocations are a ledger:
-- a `sale` row per line and matching rule when the order is paid, and negative
-- `reversal` rows when the order is refunded or cancelled; the net of a sale is the sum
-- of it and its reversals. Rows are never updated.

CREATE TABLE royalty_rules (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    beneficiary     text NOT NULL CHECK (length(beneficiary) BETWEEN 1 AND 200),
    scope           text NOT NULL CHECK (scope IN ('product', 'category', 'attribute_value')),
    product_id      uuid REFERENCES products (id) ON DELETE RESTRICT,
    category_id     uuid REFERENCES categories (id) ON DELETE RESTRICT,
    attribute_id    uuid REFERENCES attribute_definitions (id) ON DELETE RESTRICT,
    -- The option's value (SELECT, MULTISELECT) or the exact text (TEXT) to match.
    attribute_value text CHECK (length(attribute_value) BETWEEN 1 AND 200),
    rate_kind       text NOT NULL CHECK (rate_kind IN ('percentage', 'fixed_per_unit')),
    -- Percent of the line's base (0 < rate <= 100), or an amount per unit in `currency`.
    rate            numeric(19, 4) NOT NULL CHECK (rate > 0),
    -- Fixed rates only: they apply to orders in this currency alone.
    currency        text CHECK (currency ~ '^[A-Z]{3}$'),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT royalty_rules_scope_target CHECK (CASE scope
        WHEN 'product' THEN product_id IS NOT NULL AND num_nonnulls(category_id, attribute_id, attribute_value) = 0
        WHEN 'category' THEN category_id IS NOT NULL AND num_nonnulls(product_id, attribute_id, attribute_value) = 0
        ELSE attribute_id IS NOT NULL AND attribute_value IS NOT NULL AND num_nonnulls(product_id, category_id) = 0
    END),
    CONSTRAINT royalty_rules_percentage_at_most_100 CHECK (rate_kind <> 'percentage' OR rate <= 100),
    CONSTRAINT royalty_rules_currency_iff_fixed CHECK ((rate_kind = 'fixed_per_unit') = (currency IS NOT NULL))
);
-- Names are unique per tenant, case-insensitively.
CREATE UNIQUE INDEX royalty_rules_name_key ON royalty_rules (lower(name));
CREATE INDEX royalty_rules_created_idx ON royalty_rules (created_at, id);
CREATE INDEX royalty_rules_product_idx ON royalty_rules (product_id) WHERE product_id IS NOT NULL;
CREATE INDEX royalty_rules_category_idx ON royalty_rules (category_id) WHERE category_id IS NOT NULL;
CREATE INDEX royalty_rules_attribute_idx ON royalty_rules (attribute_id) WHERE attribute_id IS NOT NULL;

CREATE TABLE royalty_allocations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rule_id       uuid NOT NULL REFERENCES royalty_rules (id) ON DELETE RESTRICT,
    order_id      uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    order_item_id uuid NOT NULL REFERENCES order_items (id) ON DELETE CASCADE,
    -- A reversal's sale.
    sale_id       uuid REFERENCES royalty_allocations (id) ON DELETE CASCADE,
    -- Copied from the rule when the sale was allocated.
    beneficiary   text NOT NULL CHECK (length(beneficiary) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind IN ('sale', 'reversal')),
    -- What was paid for the line (line total less its discounts), and its units.
    base_amount   numeric(19, 4) NOT NULL CHECK (base_amount >= 0),
    quantity      integer NOT NULL CHECK (quantity >= 1),
    rate_kind     text NOT NULL CHECK (rate_kind IN ('percentage', 'fixed_per_unit')),
    rate          numeric(19, 4) NOT NULL CHECK (rate > 0),
    -- Signed, in the order's currency: sales positive, reversals negative.
    amount        numeric(19, 4) NOT NULL,
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT royalty_allocations_kind_sign CHECK (CASE kind
        WHEN 'sale' THEN amount > 0 AND sale_id IS NULL
        ELSE amount < 0 AND sale_id IS NOT NULL
    END)
);
-- A line is allocated to a rule once, however often its order is paid.
CREATE UNIQUE INDEX royalty_allocations_sale_key ON royalty_allocations (rule_id, order_item_id) WHERE kind = 'sale';
CREATE INDEX royalty_allocations_created_idx ON royalty_allocations (created_at, id);
CREATE INDEX royalty_allocations_beneficiary_idx ON royalty_allocations (beneficiary, created_at, id);
CREATE INDEX royalty_allocations_order_idx ON royalty_allocations (order_id, created_at, id);
CREATE INDEX royalty_allocations_rule_idx ON royalty_allocations (rule_id, created_at, id);
CREATE INDEX royalty_allocations_sale_idx ON royalty_allocations (sale_id) WHERE sale_id IS NOT NULL;
