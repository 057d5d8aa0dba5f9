-- Categories, articles with their revisions and related links, and the site settings.

-- Diacritic-insensitive key for search: tone marks and đ/Đ removed (unaccent's PG 15 rules),
-- then lowercased with ICU case mapping whatever the database's locale. unaccent() is only
-- STABLE; naming the schema and dictionary makes this wrapper safe to declare IMMUTABLE, so
-- it can feed generated columns and indexes.
CREATE FUNCTION bantin_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1) COLLATE "und-x-icu");

CREATE TABLE categories (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    parent_id   uuid REFERENCES categories (id) ON DELETE RESTRICT,
    position    integer NOT NULL DEFAULT 0,
    -- The breadcrumb from the root down to this category, [{id, slug, name}], kept up to
    -- date by every write to the tree so reads never walk it.
    path        jsonb NOT NULL DEFAULT '[]',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id <> id)
);
CREATE INDEX categories_parent_idx ON categories (parent_id, position);
CREATE INDEX categories_path_idx ON categories USING gin (path jsonb_path_ops);

CREATE TABLE articles (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    title        text NOT NULL,
    summary      text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    -- The body's text without markup, what search reads.
    body_text    text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at timestamptz,
    category_id  uuid REFERENCES categories (id) ON DELETE RESTRICT,
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Who wrote the current version (revisions record it for earlier ones).
    editor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    view_count   bigint NOT NULL DEFAULT 0,
    deleted_at   timestamptz,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    search       tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, bantin_fold(title)), 'A') ||
        setweight(to_tsvector('simple'::regconfig, bantin_fold(summary)), 'B') ||
        setweight(to_tsvector('simple'::regconfig, bantin_fold(body_text)), 'D')
    ) STORED,
    CHECK (status <> 'published' OR published_at IS NOT NULL)
);
-- What anonymous readers page through, newest first.
CREATE INDEX articles_public_idx ON articles (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX articles_public_views_idx ON articles (view_count DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX articles_public_title_idx ON articles ((title COLLATE "vi-x-icu"), id)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX articles_category_idx ON articles (category_id, published_at DESC, id DESC);
CREATE INDEX articles_author_idx ON articles (author_id, published_at DESC);
CREATE INDEX articles_all_idx ON articles (published_at DESC, id DESC);
CREATE INDEX articles_search_idx ON articles USING gin (search);

-- Manually related articles, in display order.
CREATE TABLE article_related (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    PRIMARY KEY (article_id, related_id),
    CHECK (article_id <> related_id)
);
CREATE INDEX article_related_related_idx ON article_related (related_id);

-- Earlier versions of articles: revision n is the article's editable content as it was at
-- version n, written by `author_id` at `created_at`.
CREATE TABLE article_revisions (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    content    jsonb NOT NULL,
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- The portal's own settings: one row.
CREATE TABLE site (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    name               text NOT NULL,
    publisher          text NOT NULL DEFAULT '',
    responsible_person text NOT NULL DEFAULT '',
    address            text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    fax                text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    attribution_notice text NOT NULL DEFAULT '',
    time_zone          text NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    visit_count        bigint NOT NULL DEFAULT 0,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
INSERT INTO site (name) VALUES ('Bantin');
