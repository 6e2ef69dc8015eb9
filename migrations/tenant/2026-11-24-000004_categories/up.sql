-- The category tree and which products are in which categories. A slug is unique among
-- its siblings (two partial indexes, because NULL parents never compare equal). Moves that
-- would make a cycle are refused by the server, under a lock on the tree.
CREATE TABLE categories (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    parent_id   uuid REFERENCES categories (id) ON DELETE RESTRICT,
    slug        text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT categories_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);
CREATE UNIQUE INDEX categories_root_slug_key ON categories (slug) WHERE parent_id IS NULL;
CREATE UNIQUE INDEX categories_child_slug_key ON categories (parent_id, slug) WHERE parent_id IS NOT NULL;
CREATE INDEX categories_parent_idx ON categories (parent_id, position, id);

CREATE TABLE product_categories (
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    category_id uuid NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, category_id)
);
CREATE INDEX product_categories_category_idx ON product_categories (category_id, product_id);
