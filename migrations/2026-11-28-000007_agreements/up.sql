-- Agreements between bodies (quy chế, chương trình phối hợp…): their parties, signatures,
-- relations to other documents, attached files, and the articles that report them.

-- A document number as people type it, for matching: folded (tone marks, đ, case), without
-- spaces, every kind of dash a hyphen. `31B-QCPH/BDV-ĐĐHĐND` → `31b-qcph/bdv-ddhdnd`.
CREATE FUNCTION bantin_number_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(bantin_fold($1), ' –—‐‑', '-----');

CREATE TABLE agreements (
    id              uuid PRIMARY KEY,
    -- Exactly as printed (`31B-QCPH/BDV-ĐĐHĐND`); NULL when the document has none.
    document_number text,
    number_key      text GENERATED ALWAYS AS (replace(bantin_number_key(document_number), '-', '')) STORED,
    doc_type        text NOT NULL CHECK (doc_type IN ('quy_che', 'chuong_trinh', 'ke_hoach',
                        'nghi_quyet', 'quyet_dinh', 'ban_ghi_nho', 'thoa_thuan', 'khac')),
    title           text NOT NULL,
    summary         text NOT NULL DEFAULT '',
    body            text NOT NULL DEFAULT '',
    place           text NOT NULL DEFAULT '',
    signed_on       date,
    effective_from  date,
    effective_to    date,
    term_start_year smallint,
    term_end_year   smallint,
    search          tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, bantin_fold(title || ' ' || summary))
    ) STORED,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (effective_to >= effective_from),
    CHECK (term_end_year >= term_start_year)
);
-- One document per folded number and signing day.
CREATE UNIQUE INDEX agreements_number_day_key ON agreements (number_key, signed_on)
    WHERE number_key <> '';
CREATE INDEX agreements_number_trgm_idx ON agreements USING gin (number_key gin_trgm_ops);
CREATE INDEX agreements_search_idx ON agreements USING gin (search);
CREATE INDEX agreements_signed_idx ON agreements (signed_on DESC, id DESC);

CREATE TABLE agreement_parties (
    agreement_id    uuid NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    role            text NOT NULL CHECK (role IN ('lead', 'partner')),
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_parties_organization_idx ON agreement_parties (organization_id);

CREATE TABLE agreement_signatures (
    agreement_id         uuid NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position             integer NOT NULL,
    signatory_id         uuid NOT NULL REFERENCES signatories (id) ON DELETE RESTRICT,
    organization_id      uuid REFERENCES organizations (id) ON DELETE RESTRICT,
    -- TM. (thay mặt), KT. (ký thay), Q. (quyền), TL. (thừa lệnh), TUQ. (thừa ủy quyền).
    authority_prefix     text CHECK (authority_prefix IN ('TM.', 'KT.', 'Q.', 'TL.', 'TUQ.')),
    signing_title        text NOT NULL,
    -- The positions the signatory held that day (they change; the person's current one is
    -- on the signatory).
    positions_at_signing text NOT NULL DEFAULT '',
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_signatures_signatory_idx ON agreement_signatures (signatory_id);
CREATE INDEX agreement_signatures_organization_idx ON agreement_signatures (organization_id);

CREATE TABLE agreement_relations (
    agreement_id   uuid NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position       integer NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('replaces', 'amends', 'repeals', 'corrects',
                       'based_on', 'implements', 'references')),
    target_id      uuid REFERENCES agreements (id) ON DELETE RESTRICT,
    reference_text text,
    PRIMARY KEY (agreement_id, position),
    CHECK ((target_id IS NULL) <> (reference_text IS NULL))
);
CREATE INDEX agreement_relations_target_idx ON agreement_relations (target_id)
    WHERE target_id IS NOT NULL;

-- Articles that report an agreement, in the article's order.
CREATE TABLE article_agreements (
    article_id   uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    agreement_id uuid NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    PRIMARY KEY (article_id, agreement_id)
);
CREATE INDEX article_agreements_agreement_idx ON article_agreements (agreement_id);
