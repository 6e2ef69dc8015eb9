DROP INDEX orders_idempotency_key;
-- Keys of different callers may repeat: keep the newest order's key, clear the others.
UPDATE orders o SET idempotency_key = NULL
WHERE idempotency_key IS NOT NULL
  AND EXISTS (SELECT 1 FROM orders n WHERE n.idempotency_key = o.idempotency_key
              AND (n.created_at, n.id) > (o.created_at, o.id));
CREATE UNIQUE INDEX orders_idempotency_key ON orders (idempotency_key);
ALTER TABLE orders DROP COLUMN idempotency_scope, DROP COLUMN idempotency_fingerprint;
