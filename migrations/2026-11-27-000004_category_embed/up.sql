-- The JSON that articles embed for their category ({id, slug, name, path}), kept with the
-- breadcrumb so that a page of articles copies it instead of building it for every row.
ALTER TABLE categories ADD COLUMN embed text NOT NULL DEFAULT '';
UPDATE categories SET embed =
    jsonb_build_object('id', id, 'slug', slug, 'name', name, 'path', path)::text;
