ALTER TABLE categories DROP COLUMN embed;
