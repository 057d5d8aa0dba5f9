-- Search without reading bodies to rank, and without re-indexing bodies on every edit.
--
-- The single generated tsvector made ranking read (and decompress) the body vector of every
-- match, and every UPDATE recomputed it, even when only the summary or the status changed.
-- Now the head (title A, summary B) and the body (D) have vectors of their own, kept by a
-- trigger that recomputes each only when its text changed. Matching uses both (every word
-- must occur somewhere); ranking reads only the small head vector.

DROP INDEX articles_search_idx;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles
    ADD COLUMN search_head tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN search_body tsvector NOT NULL DEFAULT ''::tsvector;

CREATE FUNCTION articles_search_vectors() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title
            OR NEW.summary IS DISTINCT FROM OLD.summary THEN
        NEW.search_head :=
            setweight(to_tsvector('simple'::regconfig, bantin_fold(NEW.title)), 'A') ||
            setweight(to_tsvector('simple'::regconfig, bantin_fold(NEW.summary)), 'B');
    END IF;
    IF TG_OP = 'INSERT' OR NEW.body_text IS DISTINCT FROM OLD.body_text THEN
        NEW.search_body :=
            setweight(to_tsvector('simple'::regconfig, bantin_fold(NEW.body_text)), 'D');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER articles_search_vectors
    BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_search_vectors();

UPDATE articles SET
    search_head = setweight(to_tsvector('simple'::regconfig, bantin_fold(title)), 'A') ||
                  setweight(to_tsvector('simple'::regconfig, bantin_fold(summary)), 'B'),
    search_body = setweight(to_tsvector('simple'::regconfig, bantin_fold(body_text)), 'D');

CREATE INDEX articles_search_idx ON articles USING gin ((search_head || search_body));
