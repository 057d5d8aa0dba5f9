-- Organisations (the bodies that sign: Ban Dân vận Tỉnh ủy, Đảng đoàn HĐND tỉnh…) and the
-- people who sign for them.

CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    -- As the body writes it, case kept: 'ĐĐHĐND', 'BDV'. Empty when it has none.
    short_name text NOT NULL DEFAULT '',
    kind       text NOT NULL CHECK (kind IN ('party', 'state', 'front', 'other')),
    parent_id  uuid REFERENCES organizations (id) ON DELETE RESTRICT,
    search     tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, bantin_fold(name || ' ' || short_name))
    ) STORED,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id <> id)
);
-- Two bodies of the same name under the same parent are one body entered twice.
CREATE UNIQUE INDEX organizations_name_key ON organizations
    (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), bantin_fold(name));
CREATE INDEX organizations_parent_idx ON organizations (parent_id);
CREATE INDEX organizations_search_idx ON organizations USING gin (search);

-- A name's parts as Vietnamese lists of people sort by them: the given name (the last
-- word), the middle name(s), the family name (the first word).
CREATE FUNCTION bantin_given_name(full_name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(btrim(full_name), '^.* ', '');
CREATE FUNCTION bantin_middle_name(full_name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN btrim(regexp_replace(regexp_replace(btrim(full_name), '[^ ]*$', ''), '^[^ ]*', ''));
CREATE FUNCTION bantin_family_name(full_name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN position(' ' IN btrim(full_name)) = 0 THEN ''
        ELSE split_part(btrim(full_name), ' ', 1) END;

CREATE TABLE signatories (
    id               uuid PRIMARY KEY,
    -- Family name first, no honorifics: 'Lò Văn Cương'.
    full_name        text NOT NULL,
    -- The position held now (each signature keeps the one held then).
    current_position text NOT NULL DEFAULT '',
    organization_id  uuid REFERENCES organizations (id) ON DELETE RESTRICT,
    photo_id         uuid REFERENCES photos (id) ON DELETE RESTRICT,
    given_name       text COLLATE "vi-x-icu" GENERATED ALWAYS AS (bantin_given_name(full_name)) STORED,
    middle_name      text COLLATE "vi-x-icu" GENERATED ALWAYS AS (bantin_middle_name(full_name)) STORED,
    family_name      text COLLATE "vi-x-icu" GENERATED ALWAYS AS (bantin_family_name(full_name)) STORED,
    search           tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, bantin_fold(full_name))
    ) STORED,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signatories_name_idx ON signatories (given_name, middle_name, family_name, id);
CREATE INDEX signatories_organization_idx ON signatories (organization_id);
CREATE INDEX signatories_photo_idx ON signatories (photo_id) WHERE photo_id IS NOT NULL;
CREATE INDEX signatories_search_idx ON signatories USING gin (search);
