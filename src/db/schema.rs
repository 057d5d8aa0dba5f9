// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    agreement_attachments (id) {
        id -> Uuid,
        agreement_id -> Uuid,
        file_name -> Text,
        mime_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        storage_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    agreement_parties (agreement_id, position) {
        agreement_id -> Uuid,
        position -> Int4,
        organization_id -> Uuid,
        role -> Text,
    }
}

diesel::table! {
    agreement_relations (agreement_id, position) {
        agreement_id -> Uuid,
        position -> Int4,
        kind -> Text,
        target_id -> Nullable<Uuid>,
        reference_text -> Nullable<Text>,
    }
}

diesel::table! {
    agreement_signatures (agreement_id, position) {
        agreement_id -> Uuid,
        position -> Int4,
        signatory_id -> Uuid,
        organization_id -> Nullable<Uuid>,
        authority_prefix -> Nullable<Text>,
        signing_title -> Text,
        positions_at_signing -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    agreements (id) {
        id -> Uuid,
        document_number -> Nullable<Text>,
        number_key -> Nullable<Text>,
        doc_type -> Text,
        title -> Text,
        summary -> Text,
        body -> Text,
        place -> Text,
        signed_on -> Nullable<Date>,
        effective_from -> Nullable<Date>,
        effective_to -> Nullable<Date>,
        term_start_year -> Nullable<Int2>,
        term_end_year -> Nullable<Int2>,
        search -> Nullable<Tsvector>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        scope -> Text,
        token_hash -> Bytea,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    article_agreements (article_id, agreement_id) {
        article_id -> Uuid,
        agreement_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    article_photos (article_id, position) {
        article_id -> Uuid,
        position -> Int4,
        photo_id -> Uuid,
        caption -> Text,
    }
}

diesel::table! {
    article_related (article_id, related_id) {
        article_id -> Uuid,
        related_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    article_revisions (article_id, version) {
        article_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        author_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    articles (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body -> Text,
        body_text -> Text,
        status -> Text,
        published_at -> Nullable<Timestamptz>,
        category_id -> Nullable<Uuid>,
        author_id -> Nullable<Uuid>,
        editor_id -> Nullable<Uuid>,
        view_count -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search_head -> Tsvector,
        search_body -> Tsvector,
        cover_photo_id -> Nullable<Uuid>,
        announced -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        at -> Timestamptz,
        actor_user_id -> Nullable<Uuid>,
        actor_token_id -> Nullable<Uuid>,
        action -> Text,
        resource_type -> Nullable<Text>,
        resource_id -> Nullable<Uuid>,
        address -> Nullable<Inet>,
        detail -> Jsonb,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        description -> Text,
        parent_id -> Nullable<Uuid>,
        position -> Int4,
        path -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        embed -> Text,
    }
}

diesel::table! {
    events (id) {
        id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        occurred_at -> Timestamptz,
        actor_user_id -> Nullable<Uuid>,
        actor_token_id -> Nullable<Uuid>,
        resource_type -> Text,
        resource_id -> Nullable<Uuid>,
        resource_version -> Nullable<Int4>,
        data -> Jsonb,
        xact_id -> Int8,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        email_key -> Nullable<Text>,
        client_ip -> Inet,
        failed_at -> Timestamptz,
    }
}

diesel::table! {
    media_files (sha256) {
        sha256 -> Text,
        mime_type -> Text,
        original_key -> Text,
        width -> Int4,
        height -> Int4,
        size_bytes -> Int8,
        thumb_key -> Text,
        thumb_width -> Int4,
        thumb_height -> Int4,
        medium_key -> Text,
        medium_width -> Int4,
        medium_height -> Int4,
        large_key -> Text,
        large_width -> Int4,
        large_height -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    organizations (id) {
        id -> Uuid,
        name -> Text,
        short_name -> Text,
        kind -> Text,
        parent_id -> Nullable<Uuid>,
        search -> Nullable<Tsvector>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    photos (id) {
        id -> Uuid,
        sha256 -> Text,
        caption -> Text,
        alt_text -> Text,
        credit -> Text,
        taken_at -> Nullable<Timestamptz>,
        uploaded_by -> Nullable<Uuid>,
        search -> Nullable<Tsvector>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    signatories (id) {
        id -> Uuid,
        full_name -> Text,
        current_position -> Text,
        organization_id -> Nullable<Uuid>,
        photo_id -> Nullable<Uuid>,
        given_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        search -> Nullable<Tsvector>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    site (id) {
        id -> Bool,
        name -> Text,
        publisher -> Text,
        responsible_person -> Text,
        address -> Text,
        phone -> Text,
        fax -> Text,
        email -> Text,
        attribution_notice -> Text,
        time_zone -> Text,
        visit_count -> Int8,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, n) {
        delivery_id -> Uuid,
        n -> Int4,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        duration_ms -> Int4,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event_id -> Nullable<Uuid>,
        event_type -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        leased_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        events -> Array<Nullable<Text>>,
        enabled -> Bool,
        description -> Text,
        secret -> Text,
        disabled_reason -> Nullable<Text>,
        failure_streak -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(agreement_attachments -> agreements (agreement_id));
diesel::joinable!(agreement_parties -> agreements (agreement_id));
diesel::joinable!(agreement_parties -> organizations (organization_id));
diesel::joinable!(agreement_signatures -> agreements (agreement_id));
diesel::joinable!(agreement_signatures -> organizations (organization_id));
diesel::joinable!(agreement_signatures -> signatories (signatory_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(article_agreements -> agreements (agreement_id));
diesel::joinable!(article_agreements -> articles (article_id));
diesel::joinable!(article_photos -> articles (article_id));
diesel::joinable!(article_photos -> photos (photo_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_revisions -> users (author_id));
diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(articles -> photos (cover_photo_id));
diesel::joinable!(photos -> media_files (sha256));
diesel::joinable!(photos -> users (uploaded_by));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(signatories -> organizations (organization_id));
diesel::joinable!(signatories -> photos (photo_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    agreement_attachments,
    agreement_parties,
    agreement_relations,
    agreement_signatures,
    agreements,
    api_tokens,
    article_agreements,
    article_photos,
    article_related,
    article_revisions,
    articles,
    audit_log,
    categories,
    events,
    login_failures,
    media_files,
    organizations,
    photos,
    refresh_tokens,
    sessions,
    signatories,
    site,
    users,
    webhook_attempts,
    webhook_deliveries,
    webhooks,
);
