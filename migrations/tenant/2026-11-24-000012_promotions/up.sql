-- Promotions: campaigns group coupons; a coupon is a code giving a percentage or a fixed
-- amount off an order's subtotal, within limits; each use is a redemption row tied to
-- its order. `used_count` is the number of active redemptions, kept by the same
-- statement that takes a use (a guarded UPDATE), so a usage limit holds under
-- concurrency; the CHECK holds it too.

CREATE TABLE promotion_campaigns (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text CHECK (length(description) <= 2000),
    status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'ended')),
    starts_at   timestamptz,
    ends_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX promotion_campaigns_created_idx ON promotion_campaigns (created_at, id);

CREATE TABLE coupons (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored upper case: codes are matched case-insensitively.
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,39}$'),
    campaign_id        uuid REFERENCES promotion_campaigns (id) ON DELETE RESTRICT,
    kind               text NOT NULL CHECK (kind IN ('percentage', 'fixed')),
    -- Percent (0 < v <= 100) or an amount in `currency`.
    value              numeric(19, 4) NOT NULL CHECK (value > 0),
    -- Required for fixed coupons and minimums; when set, the coupon applies to orders in
    -- this currency only.
    currency           text CHECK (currency ~ '^[A-Z]{3}$'),
    minimum_subtotal   numeric(19, 4) CHECK (minimum_subtotal >= 0),
    usage_limit        integer CHECK (usage_limit > 0),
    per_customer_limit integer CHECK (per_customer_limit > 0),
    used_count         integer NOT NULL DEFAULT 0 CHECK (used_count >= 0),
    starts_at          timestamptz,
    ends_at            timestamptz,
    store_id           uuid REFERENCES stores (id) ON DELETE RESTRICT,
    active             boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT coupons_percentage_at_most_100 CHECK (kind <> 'percentage' OR value <= 100),
    CONSTRAINT coupons_amounts_have_currency CHECK (
        currency IS NOT NULL OR (kind = 'percentage' AND minimum_subtotal IS NULL)),
    CONSTRAINT coupons_usage_within_limit CHECK (usage_limit IS NULL OR used_count <= usage_limit),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX coupons_campaign_idx ON coupons (campaign_id);
CREATE INDEX coupons_created_idx ON coupons (created_at, id);

CREATE TABLE coupon_redemptions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    coupon_id       uuid NOT NULL REFERENCES coupons (id) ON DELETE RESTRICT,
    -- The coupon's code (codes never change), so an order shows its code in one read.
    code            text NOT NULL,
    order_id        uuid NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    customer_id     uuid REFERENCES customers (id) ON DELETE RESTRICT,
    -- Who used it when no customer is known: the order's email (per-customer limits).
    email           text CHECK (email = lower(email)),
    discount_amount numeric(19, 4) NOT NULL CHECK (discount_amount >= 0),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released')),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    released_at     timestamptz,
    CHECK ((status = 'released') = (released_at IS NOT NULL))
);
CREATE INDEX coupon_redemptions_coupon_idx ON coupon_redemptions (coupon_id, created_at, id);
CREATE INDEX coupon_redemptions_customer_idx ON coupon_redemptions (coupon_id, customer_id) WHERE status = 'active';
CREATE INDEX coupon_redemptions_email_idx ON coupon_redemptions (coupon_id, email) WHERE status = 'active';

-- The share of the order's discount each line carries (coupon and points together),
-- so per-line figures (royalties) work from what was really paid for the line.
ALTER TABLE order_items
    ADD COLUMN discount_total numeric(19, 4) NOT NULL DEFAULT 0
        CHECK (discount_total >= 0 AND discount_total <= line_total);
