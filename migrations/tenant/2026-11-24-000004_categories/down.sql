DROP TABLE product_categories;
DROP TABLE categories;
