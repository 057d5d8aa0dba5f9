-- Photos: stored files (one per distinct upload, named by content) and the photo items that
-- editors describe and articles use.

-- One row per distinct uploaded file (by the SHA-256 of the uploaded bytes). The files are
-- stored before the row is committed; the row is removed, then the files, when no photo
-- uses it any more.
CREATE TABLE media_files (
    sha256          text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    mime_type       text NOT NULL,
    -- The served original: metadata stripped, EXIF orientation applied.
    original_key    text NOT NULL,
    width           integer NOT NULL CHECK (width > 0),
    height          integer NOT NULL CHECK (height > 0),
    size_bytes      bigint NOT NULL CHECK (size_bytes > 0),
    -- The variants, 320, 800 and 1600 px on the long side, never upscaled (a variant that
    -- would be as large as the original is the original's file).
    thumb_key       text NOT NULL,
    thumb_width     integer NOT NULL,
    thumb_height    integer NOT NULL,
    medium_key      text NOT NULL,
    medium_width    integer NOT NULL,
    medium_height   integer NOT NULL,
    large_key       text NOT NULL,
    large_width     integer NOT NULL,
    large_height    integer NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE photos (
    id          uuid PRIMARY KEY,
    sha256      text NOT NULL REFERENCES media_files (sha256) ON DELETE RESTRICT,
    caption     text NOT NULL DEFAULT '',
    alt_text    text NOT NULL DEFAULT '',
    credit      text NOT NULL DEFAULT '',
    taken_at    timestamptz,
    uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    search      tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig,
            bantin_fold(caption || ' ' || alt_text || ' ' || credit))
    ) STORED,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX photos_sha256_idx ON photos (sha256);
CREATE INDEX photos_created_idx ON photos (created_at DESC, id DESC);
CREATE INDEX photos_search_idx ON photos USING gin (search);

-- An instant as the API writes it: RFC 3339 in UTC.
CREATE FUNCTION bantin_instant(timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

-- A photo as the API shows it, its file URLs under `base` (the media base URL, ending in /).
-- Built in SQL so that a page of articles embeds its photos in the page's one query.
CREATE FUNCTION bantin_photo_json(p photos, f media_files, base text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', p.id,
        'url', base || f.original_key,
        'mime_type', f.mime_type,
        'width', f.width,
        'height', f.height,
        'size_bytes', f.size_bytes,
        'sha256', f.sha256,
        'caption', p.caption,
        'alt_text', p.alt_text,
        'credit', p.credit,
        'taken_at', bantin_instant(p.taken_at),
        'variants', json_build_array(
            json_build_object('name', 'thumb', 'width', f.thumb_width,
                              'height', f.thumb_height, 'url', base || f.thumb_key),
            json_build_object('name', 'medium', 'width', f.medium_width,
                              'height', f.medium_height, 'url', base || f.medium_key),
            json_build_object('name', 'large', 'width', f.large_width,
                              'height', f.large_height, 'url', base || f.large_key)),
        'version', p.version,
        'created_at', bantin_instant(p.created_at),
        'updated_at', bantin_instant(p.updated_at))::text;

-- Articles: a cover photo and a gallery with per-article captions, in order.
ALTER TABLE articles ADD COLUMN cover_photo_id uuid REFERENCES photos (id) ON DELETE RESTRICT;
CREATE INDEX articles_cover_photo_idx ON articles (cover_photo_id) WHERE cover_photo_id IS NOT NULL;

CREATE TABLE article_photos (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    photo_id   uuid NOT NULL REFERENCES photos (id) ON DELETE RESTRICT,
    caption    text NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_photos_photo_idx ON article_photos (photo_id);
