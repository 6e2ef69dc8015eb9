DROP TABLE customer_activities;
DROP TABLE customer_addresses;
DROP TABLE customers;
