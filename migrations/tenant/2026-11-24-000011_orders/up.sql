-- Orders and everything that hangs off them. Money is numeric in the order's currency;
-- the totals are written once, by the server, when the order is placed. Status and
-- payment status are closed sets (text + CHECK); the server's state machine decides the
-- transitions and every transition is a row in order_status_history.

-- POS registers: the tills of a location. POS orders name one.
CREATE TABLE pos_registers (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id uuid NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX pos_registers_location_idx ON pos_registers (location_id);

-- Human order numbers, per tenant (each tenant's schema has its own sequence). A refused
-- order can leave a gap; numbers are unique and increasing, not gapless.
CREATE SEQUENCE order_numbers START 1001;

CREATE TABLE orders (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number           bigint NOT NULL UNIQUE DEFAULT nextval('order_numbers'),
    -- A secret the placing storefront reads the order back with.
    token            uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    status           text NOT NULL CHECK (status IN ('pending', 'paid', 'fulfilled', 'completed', 'cancelled',
                                                     'partially_refunded', 'refunded')),
    payment_status   text NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('unpaid', 'partially_paid', 'paid',
                                                     'partially_refunded', 'refunded')),
    channel          text NOT NULL CHECK (channel IN ('online', 'pos', 'external')),
    store_id         uuid REFERENCES stores (id) ON DELETE RESTRICT,
    customer_id      uuid REFERENCES customers (id) ON DELETE RESTRICT,
    email            text CHECK (email = lower(email)),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal         numeric(19, 4) NOT NULL CHECK (subtotal >= 0),
    discount_total   numeric(19, 4) NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
    total            numeric(19, 4) NOT NULL CHECK (total >= 0),
    captured_total   numeric(19, 4) NOT NULL DEFAULT 0 CHECK (captured_total >= 0),
    refunded_total   numeric(19, 4) NOT NULL DEFAULT 0 CHECK (refunded_total >= 0),
    register_id      uuid REFERENCES pos_registers (id) ON DELETE RESTRICT,
    location_id      uuid REFERENCES locations (id) ON DELETE RESTRICT,
    idempotency_key  text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    -- Where the order came from outside (marketplace order id, POS receipt, …).
    source_reference text CHECK (length(source_reference) <= 200),
    customer_note    text CHECK (length(customer_note) <= 2000),
    placed_by        text NOT NULL,
    fulfilled_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT orders_total_is_subtotal_less_discount CHECK (total = subtotal - discount_total),
    CONSTRAINT orders_refunds_within_captured CHECK (refunded_total <= captured_total)
);
CREATE UNIQUE INDEX orders_idempotency_key ON orders (idempotency_key);
CREATE INDEX orders_created_idx ON orders (created_at, id);
CREATE INDEX orders_status_created_idx ON orders (status, created_at, id);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at, id);
CREATE INDEX orders_store_created_idx ON orders (store_id, created_at, id);
CREATE INDEX orders_email_idx ON orders (email);

-- The order's lines, with what was bought as it was then: later catalog changes do not
-- rewrite an order.
CREATE TABLE order_items (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id       uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line           integer NOT NULL CHECK (line >= 1),
    variant_id     uuid REFERENCES product_variants (id) ON DELETE SET NULL,
    product_id     uuid REFERENCES products (id) ON DELETE SET NULL,
    product_name   text NOT NULL,
    product_slug   text NOT NULL,
    product_type   text NOT NULL,
    variant_sku    text NOT NULL,
    variant_name   text NOT NULL,
    quantity       integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price     numeric(19, 4) NOT NULL CHECK (unit_price >= 0),
    price_source   text NOT NULL,
    -- unit_price × quantity rounded half up to the currency's minor unit (the server's
    -- rule, see graphql::round_to_currency), so what the customer pays is payable.
    line_total     numeric(19, 4) NOT NULL CHECK (line_total >= 0 AND abs(line_total - unit_price * quantity) < 1),
    UNIQUE (order_id, line)
);
CREATE INDEX order_items_variant_idx ON order_items (variant_id);

-- The stock an order holds: per line, which variant (the line's own, or a bundle's
-- component) at which location, how many. Live while the order is unfulfilled and not
-- cancelled; fulfilment turns them into stock decrements, cancellation releases them.
CREATE TABLE order_allocations (
    order_item_id uuid NOT NULL REFERENCES order_items (id) ON DELETE CASCADE,
    variant_id    uuid NOT NULL REFERENCES product_variants (id) ON DELETE RESTRICT,
    location_id   uuid NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,
    quantity      integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_item_id, variant_id, location_id)
);

CREATE TABLE order_addresses (
    order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('shipping', 'billing')),
    first_name  text NOT NULL,
    last_name   text NOT NULL,
    company     text,
    line1       text NOT NULL,
    line2       text,
    city        text NOT NULL,
    postal_code text,
    region      text,
    country     text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    phone       text,
    PRIMARY KEY (order_id, kind)
);

CREATE TABLE order_status_history (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status text,
    to_status   text NOT NULL,
    actor       text NOT NULL,
    note        text CHECK (length(note) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, created_at, id);

-- Payment attempts. Captured money is what refunds are measured against.
CREATE TABLE payments (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id                uuid NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    provider                text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'),
    provider_transaction_id text CHECK (length(provider_transaction_id) BETWEEN 1 AND 200),
    amount                  numeric(19, 4) NOT NULL CHECK (amount > 0),
    currency                text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status                  text NOT NULL CHECK (status IN ('pending', 'captured', 'failed')),
    captured_amount         numeric(19, 4) NOT NULL DEFAULT 0 CHECK (captured_amount >= 0 AND captured_amount <= amount),
    refunded_amount         numeric(19, 4) NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= captured_amount),
    failure_reason          text CHECK (length(failure_reason) <= 500),
    created_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX payments_order_idx ON payments (order_id, created_at);
CREATE UNIQUE INDEX payments_provider_transaction_key ON payments (provider, provider_transaction_id);

CREATE TABLE refunds (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    payment_id  uuid NOT NULL REFERENCES payments (id) ON DELETE RESTRICT,
    amount      numeric(19, 4) NOT NULL CHECK (amount > 0),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    actor       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX refunds_order_idx ON refunds (order_id, created_at);

-- Orders imported from marketplaces: one mapping per external order, unique per channel,
-- so a re-import finds the order it made the first time.
CREATE TABLE external_order_mappings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    channel_name    text NOT NULL CHECK (channel_name ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'),
    external_id     text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    order_id        uuid NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    external_status text CHECK (length(external_status) <= 100),
    sync_status     text NOT NULL CHECK (sync_status IN ('synced', 'conflict')),
    sync_count      integer NOT NULL DEFAULT 1 CHECK (sync_count >= 1),
    -- A digest of the imported lines, to tell a re-import with other lines (CONFLICT).
    lines_digest    text NOT NULL,
    imported_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_synced_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (channel_name, external_id)
);

-- Customer-service notes: about a customer, an order, or both; by a staff member.
CREATE TABLE customer_service_notes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid REFERENCES customers (id) ON DELETE CASCADE,
    order_id    uuid REFERENCES orders (id) ON DELETE CASCADE,
    staff_id    text NOT NULL CHECK (length(staff_id) BETWEEN 1 AND 120),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT customer_service_notes_about_something CHECK (customer_id IS NOT NULL OR order_id IS NOT NULL)
);
CREATE INDEX customer_service_notes_customer_idx ON customer_service_notes (customer_id, created_at DESC, id);
CREATE INDEX customer_service_notes_order_idx ON customer_service_notes (order_id, created_at DESC, id);

ALTER TABLE customer_activities
    ADD CONSTRAINT customer_activities_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL;
