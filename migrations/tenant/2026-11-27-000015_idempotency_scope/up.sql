-- Idempotency keys belong to the caller that sent them: the API key and the shopper (a
-- signed-in customer, else the contact email), hashed into `idempotency_scope`. The same
-- key from another caller is another key. `idempotency_fingerprint` is a hash of the
-- request's input, so a key sent again with another input is refused instead of answered
-- with the first order. A key whose scope is cleared (NULL) can no longer be replayed.
ALTER TABLE orders
    ADD COLUMN idempotency_scope text CHECK (idempotency_scope ~ '^[0-9a-f]{64}$'),
    ADD COLUMN idempotency_fingerprint text CHECK (idempotency_fingerprint ~ '^[0-9a-f]{64}$');

-- Orders placed before keys were scoped do not record which API key sent them, so no
-- caller can be proven to own their keys: they are released (their scope stays NULL)
-- rather than guessed, and `idempotency_key` keeps the client's text for display.
DROP INDEX orders_idempotency_key;
CREATE UNIQUE INDEX orders_idempotency_key ON orders (idempotency_scope, idempotency_key);
