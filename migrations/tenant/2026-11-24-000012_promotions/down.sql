ALTER TABLE order_items DROP COLUMN discount_total;
DROP TABLE coupon_redemptions;
DROP TABLE coupons;
DROP TABLE promotion_campaigns;
