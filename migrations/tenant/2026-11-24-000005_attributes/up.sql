-- Attributes: typed, filterable facts about products and variants (brand, material, size…).
-- A definition says the type; SELECT/MULTISELECT definitions list their allowed options.
-- An attribute set is a product template: an ordered list of attributes, some required.
CREATE TABLE attribute_definitions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code           text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    attribute_type text NOT NULL CHECK (attribute_type IN ('text', 'number', 'boolean', 'date', 'select', 'multiselect')),
    -- Storefronts may filter by it.
    filterable     boolean NOT NULL DEFAULT true,
    -- Optional validation: bounds for NUMBER, maximum length for TEXT.
    min_number     numeric,
    max_number     numeric,
    max_length     integer CHECK (max_length > 0),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE attribute_options (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    attribute_id uuid NOT NULL REFERENCES attribute_definitions (id) ON DELETE CASCADE,
    value        text NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    position     integer NOT NULL DEFAULT 0,
    UNIQUE (attribute_id, value)
);

CREATE TABLE attribute_sets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code       text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE attribute_set_members (
    set_id       uuid NOT NULL REFERENCES attribute_sets (id) ON DELETE CASCADE,
    attribute_id uuid NOT NULL REFERENCES attribute_definitions (id) ON DELETE RESTRICT,
    position     integer NOT NULL DEFAULT 0,
    required     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (set_id, attribute_id)
);

ALTER TABLE products ADD COLUMN attribute_set_id uuid REFERENCES attribute_sets (id) ON DELETE RESTRICT;

-- One row per value. A variant's value also carries its product, so "products with a red
-- variant" and "red products" are the same indexed lookup. Exactly one typed column is
-- set; SELECT and MULTISELECT values point at an option (MULTISELECT: one row per option).
CREATE TABLE attribute_values (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id    uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id    uuid REFERENCES product_variants (id) ON DELETE CASCADE,
    attribute_id  uuid NOT NULL REFERENCES attribute_definitions (id) ON DELETE CASCADE,
    option_id     uuid REFERENCES attribute_options (id) ON DELETE CASCADE,
    text_value    text,
    number_value  numeric,
    boolean_value boolean,
    date_value    date,
    position      integer NOT NULL DEFAULT 0,
    CONSTRAINT attribute_values_one_value CHECK (
        num_nonnulls(option_id, text_value, number_value, boolean_value, date_value) = 1
    )
);
CREATE UNIQUE INDEX attribute_values_unique
    ON attribute_values (product_id, variant_id, attribute_id, option_id) NULLS NOT DISTINCT;
CREATE INDEX attribute_values_product_idx ON attribute_values (product_id, variant_id, position);
CREATE INDEX attribute_values_option_idx ON attribute_values (option_id, product_id) WHERE option_id IS NOT NULL;
CREATE INDEX attribute_values_text_idx ON attribute_values (attribute_id, text_value, product_id) WHERE text_value IS NOT NULL;
CREATE INDEX attribute_values_number_idx ON attribute_values (attribute_id, number_value, product_id) WHERE number_value IS NOT NULL;
CREATE INDEX attribute_values_scalar_idx ON attribute_values (attribute_id, boolean_value, date_value, product_id)
    WHERE boolean_value IS NOT NULL OR date_value IS NOT NULL;
