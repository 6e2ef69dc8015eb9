DROP TABLE store_products;
