-- Files attached to agreements (the signed PDF and others), stored through the media
-- backend under `attachments/<id>/<sha256>.pdf` and downloaded with their own file name.
CREATE TABLE agreement_attachments (
    id           uuid PRIMARY KEY,
    agreement_id uuid NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    -- As uploaded (NFC), shown and used for the download's name.
    file_name    text NOT NULL,
    mime_type    text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key  text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agreement_attachments_agreement_idx ON agreement_attachments (agreement_id, created_at);
