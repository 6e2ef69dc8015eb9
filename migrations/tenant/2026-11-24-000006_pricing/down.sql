DROP TABLE price_list_entries;
DROP TABLE price_lists;
