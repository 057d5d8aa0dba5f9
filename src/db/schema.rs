//! Diesel table definitions, kept in step with `migrations/` by hand (as `diesel print-schema`
//! would write them).

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
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
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
    use diesel::sql_types::*;

    login_failures (id) {
        id -> Int8,
        email_key -> Nullable<Text>,
        client_ip -> Inet,
        failed_at -> Timestamptz,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::table! {
    categories (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        description -> Text,
        parent_id -> Nullable<Uuid>,
        position -> Int4,
        path -> Jsonb,
        embed -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// `search_head` and `search_body` (tsvectors kept by a trigger) are left out: only SQL
    /// reads them.
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
        cover_photo_id -> Nullable<Uuid>,
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
    photos (id) {
        id -> Uuid,
        sha256 -> Text,
        caption -> Text,
        alt_text -> Text,
        credit -> Text,
        taken_at -> Nullable<Timestamptz>,
        uploaded_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
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
    organizations (id) {
        id -> Uuid,
        name -> Text,
        short_name -> Text,
        kind -> Text,
        parent_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    signatories (id) {
        id -> Uuid,
        full_name -> Text,
        current_position -> Text,
        organization_id -> Nullable<Uuid>,
        photo_id -> Nullable<Uuid>,
        given_name -> Text,
        middle_name -> Text,
        family_name -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(photos -> media_files (sha256));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    api_tokens,
    login_failures,
    categories,
    articles,
    article_related,
    article_revisions,
    site,
    media_files,
    photos,
    article_photos,
    organizations,
    signatories
);
