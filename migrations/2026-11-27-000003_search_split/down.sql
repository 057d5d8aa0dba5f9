DROP INDEX articles_search_idx;
DROP TRIGGER articles_search_vectors ON articles;
DROP FUNCTION articles_search_vectors();
ALTER TABLE articles DROP COLUMN search_head, DROP COLUMN search_body;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, bantin_fold(title)), 'A') ||
    setweight(to_tsvector('simple'::regconfig, bantin_fold(summary)), 'B') ||
    setweight(to_tsvector('simple'::regconfig, bantin_fold(body_text)), 'D')
) STORED;
CREATE INDEX articles_search_idx ON articles USING gin (search);
