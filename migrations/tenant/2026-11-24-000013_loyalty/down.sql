DROP TABLE customer_tokens;
DROP TABLE loyalty_transactions;
DROP TABLE loyalty_accounts;
DROP TABLE loyalty_tiers;
DROP TABLE loyalty_programs;
