-- Loyalty: one program per tenant, its tiers, an account per customer (or per customer and
-- store), and the ledger of every change to an account. An account's balance moves only
-- by a guarded UPDATE in the transaction that writes its ledger row, so the balance always
-- equals the sum of the ledger and is never negative (the CHECK holds it too).
-- Customer tokens: what a storefront sends (X-Customer-Token) to act for a signed-in
-- customer; only their SHA-256 is kept.

CREATE TABLE loyalty_programs (
    -- The program is a singleton: the primary key can only be true.
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    active             boolean NOT NULL,
    -- Points earned per 1 unit of the order's currency (floor of total × this).
    points_per_unit    numeric(12, 4) NOT NULL CHECK (points_per_unit >= 0),
    -- The money value of one point, in the currency of the order it is redeemed on.
    point_value        numeric(19, 4) NOT NULL CHECK (point_value > 0),
    -- One account per customer and store instead of one per customer.
    accounts_per_store boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE loyalty_tiers (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    min_lifetime_points bigint NOT NULL UNIQUE CHECK (min_lifetime_points >= 0),
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX loyalty_tiers_name_key ON loyalty_tiers (lower(name));

CREATE TABLE loyalty_accounts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id     uuid NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- Set only when the program keeps accounts per store.
    store_id        uuid REFERENCES stores (id) ON DELETE RESTRICT,
    balance         bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
    -- Points accrued less accruals reversed (refunds, cancellations); decides the tier.
    lifetime_points bigint NOT NULL DEFAULT 0 CHECK (lifetime_points >= 0),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- One account per (customer, store), and one per customer without a store: two partial
-- indexes, since a plain UNIQUE treats NULL stores as distinct.
CREATE UNIQUE INDEX loyalty_accounts_customer_store_key ON loyalty_accounts (customer_id, store_id)
    WHERE store_id IS NOT NULL;
CREATE UNIQUE INDEX loyalty_accounts_customer_key ON loyalty_accounts (customer_id) WHERE store_id IS NULL;
CREATE INDEX loyalty_accounts_created_idx ON loyalty_accounts (created_at, id);
CREATE INDEX loyalty_accounts_lifetime_idx ON loyalty_accounts (lifetime_points);

CREATE TABLE loyalty_transactions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id         uuid NOT NULL REFERENCES loyalty_accounts (id) ON DELETE RESTRICT,
    kind               text NOT NULL CHECK (kind IN ('accrual', 'redemption', 'adjustment', 'reversal')),
    -- Signed: what the balance moved by. Zero only for a reversal that recovered nothing.
    points             bigint NOT NULL,
    order_id           uuid REFERENCES orders (id) ON DELETE SET NULL,
    -- For a reversal: the accrual it takes back, or the redemption it gives back.
    reverses_id        uuid REFERENCES loyalty_transactions (id) ON DELETE RESTRICT,
    -- For an accrual: the program's points per unit it was earned at (refunds reverse
    -- at the same rate).
    points_per_unit    numeric(12, 4) CHECK (points_per_unit >= 0),
    reason             text CHECK (length(reason) BETWEEN 1 AND 500),
    actor              text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    -- For a reversal the balance could not cover: the points that could not be taken back.
    unrecovered_points bigint NOT NULL DEFAULT 0 CHECK (unrecovered_points >= 0),
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT loyalty_transactions_kind_shape CHECK (
        (kind = 'accrual' AND points > 0 AND points_per_unit IS NOT NULL AND reverses_id IS NULL)
        OR (kind = 'redemption' AND points < 0 AND reverses_id IS NULL)
        OR (kind = 'adjustment' AND points <> 0 AND reason IS NOT NULL AND reverses_id IS NULL)
        OR (kind = 'reversal' AND reverses_id IS NOT NULL AND (points <> 0 OR unrecovered_points > 0))),
    CONSTRAINT loyalty_transactions_unrecovered_on_reversals CHECK (unrecovered_points = 0 OR kind = 'reversal')
);
CREATE INDEX loyalty_transactions_account_idx ON loyalty_transactions (account_id, created_at, id);
CREATE INDEX loyalty_transactions_order_idx ON loyalty_transactions (order_id) WHERE order_id IS NOT NULL;
-- An order accrues once and redeems once; a redemption is given back once.
CREATE UNIQUE INDEX loyalty_transactions_one_accrual ON loyalty_transactions (order_id) WHERE kind = 'accrual';
CREATE UNIQUE INDEX loyalty_transactions_one_redemption ON loyalty_transactions (order_id) WHERE kind = 'redemption';
CREATE UNIQUE INDEX loyalty_transactions_one_giveback ON loyalty_transactions (reverses_id)
    WHERE kind = 'reversal' AND points > 0;

CREATE TABLE customer_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea NOT NULL UNIQUE,
    customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX customer_tokens_customer_idx ON customer_tokens (customer_id) WHERE revoked_at IS NULL;
