DROP TABLE product_images;
DROP TABLE product_variants;
DROP TABLE products;
