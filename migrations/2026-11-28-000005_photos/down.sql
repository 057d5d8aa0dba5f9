DROP TABLE article_photos;
DROP INDEX articles_cover_photo_idx;
ALTER TABLE articles DROP COLUMN cover_photo_id;
DROP FUNCTION bantin_photo_json(photos, media_files, text);
DROP FUNCTION bantin_instant(timestamptz);
DROP TABLE photos;
DROP TABLE media_files;
