DROP TABLE royalty_allocations;
DROP TABLE royalty_rules;
