-- Customers and what is kept about them: addresses, an activity trail, and the notes
-- customer service writes. Email is unique case-insensitively; an anonymized customer
-- keeps its row (orders stay linked to it) but loses every personal field.
CREATE TABLE customers (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                 text CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    first_name            text NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
    last_name             text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    phone                 text CHECK (length(phone) BETWEEN 1 AND 40),
    -- The subject of the customer in an external identity provider (OIDC `sub`).
    auth_subject          text UNIQUE CHECK (length(auth_subject) BETWEEN 1 AND 200),
    locale                text CHECK (length(locale) BETWEEN 2 AND 35),
    marketing_consent     boolean NOT NULL DEFAULT false,
    marketing_consent_at  timestamptz,
    -- Free-form preferences (newsletter topics, sizes, …) as a JSON object.
    preferences           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(preferences) = 'object'),
    anonymized_at         timestamptz,
    created_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT customers_email_unless_anonymized CHECK ((email IS NULL) = (anonymized_at IS NOT NULL))
);
CREATE UNIQUE INDEX customers_email_key ON customers (email);
CREATE INDEX customers_created_idx ON customers (created_at, id);
CREATE INDEX customers_name_idx ON customers (lower(last_name), lower(first_name));

CREATE TABLE customer_addresses (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id         uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    first_name          text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name           text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    company             text CHECK (length(company) <= 200),
    line1               text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
    line2               text CHECK (length(line2) <= 200),
    city                text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    postal_code         text CHECK (length(postal_code) <= 20),
    region              text CHECK (length(region) <= 100),
    country             text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    phone               text CHECK (length(phone) <= 40),
    is_default_shipping boolean NOT NULL DEFAULT false,
    is_default_billing  boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX customer_addresses_customer_idx ON customer_addresses (customer_id, created_at);
CREATE UNIQUE INDEX customer_addresses_one_shipping ON customer_addresses (customer_id) WHERE is_default_shipping;
CREATE UNIQUE INDEX customer_addresses_one_billing ON customer_addresses (customer_id) WHERE is_default_billing;

-- What happened to a customer: signup, login, orders placed/paid/cancelled/refunded, notes,
-- anonymization. Order events are written by the server in the order's transaction.
CREATE TABLE customer_activities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('SIGNUP', 'LOGIN', 'PROFILE_UPDATED', 'ORDER_PLACED', 'ORDER_PAID',
                                              'ORDER_CANCELLED', 'ORDER_REFUNDED', 'NOTE_ADDED', 'ANONYMIZED', 'OTHER')),
    order_id    uuid,
    detail      text NOT NULL DEFAULT '' CHECK (length(detail) <= 1000),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 120),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX customer_activities_customer_idx ON customer_activities (customer_id, created_at DESC, id);
