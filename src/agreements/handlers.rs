//! `/agreements`: anyone reads; editors and admins write. Also `GET /agreements/doc-types`
//! and `GET /signatories/{id}/agreements` (the signatures are the agreements').

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::attachments::remove_files;
use super::input::{Changes, new_agreement};
use super::model::{self, AgreementFilter, AgreementListRow, AgreementRecord, AgreementSort};
use super::record::{load_view, record_write};
use super::views::{
    AgreementFilters, AgreementSummary, AgreementView, CreateAgreement, DocType, DocTypeView,
    SORTS, SignedAgreement, UpdateAgreement,
};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::db::keyset::KeyValue;
use crate::error::{ApiError, ApiResult, ModelResult, Problem};
use crate::events::{self, Verb};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{Cursor, ListResponse, Meta, PageQuery, Paging, Sort, Start, parse_sort};
use crate::state::AppState;

fn public_only(caller: &MaybeCaller) -> bool {
    caller.0.is_none()
}

/// `If-Match` against `record` as its editors read it, in the model's terms.
fn unchanged_since(if_match: &IfMatch, record: &AgreementRecord, media: &str) -> ModelResult<()> {
    if_match.check(&AgreementView::new(record.clone(), media))
}

/// The document types with their Vietnamese labels.
#[utoipa::path(
    operation_id = "listDocumentTypes",
    tag = "agreements",
    responses((status = 200, description = "Every document type", body = Vec<DocTypeView>))
)]
#[get("/agreements/doc-types")]
pub async fn doc_types() -> ApiResult<HttpResponse> {
    let types: Vec<DocTypeView> = DocType::ALL
        .into_iter()
        .map(|code| DocTypeView {
            code,
            label: code.label(),
        })
        .collect();
    http::list(&types, Cache::Public)
}

/// Where the page after `paging`'s cursor starts: after the cursor's sort value and id, or
/// (relevance) at its position.
fn start_after(
    sort: AgreementSort,
    paging: Paging,
) -> ApiResult<(Option<(KeyValue, Uuid)>, Paging)> {
    let Start::After(Some(cursor)) = &paging.start else {
        return Ok((None, paging));
    };
    let value = match sort {
        AgreementSort::SignedOn => KeyValue::Date(match cursor.text()? {
            "" => model::UNDATED,
            day => NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| Cursor::invalid())?
                .max(model::UNDATED),
        }),
        AgreementSort::Title => KeyValue::Collated(cursor.text()?.to_string(), "vi-x-icu"),
        AgreementSort::CreatedAt => KeyValue::Instant(cursor.instant()?),
        AgreementSort::Relevance => {
            let position = (cursor.value.as_i64())
                .filter(|n| *n >= 0)
                .ok_or_else(Cursor::invalid)?;
            let start = Start::Offset(position);
            return Ok((None, Paging { start, ..paging }));
        }
    };
    Ok((Some((value, cursor.id)), paging))
}

/// The cursor after `row`, the last of a page whose last position is `last`.
fn cursor_of(row: &AgreementListRow, sort: AgreementSort, sort_key: &str, last: i64) -> Cursor {
    let head = &row.head;
    let value = match sort {
        AgreementSort::SignedOn => head
            .signed_on
            .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string())
            .into(),
        AgreementSort::Title => head.title.clone().into(),
        AgreementSort::CreatedAt => head.created_at.to_rfc3339().into(),
        AgreementSort::Relevance => (last + 1).into(),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: head.id,
    }
}

/// List agreements, their parties and signatures embedded.
#[utoipa::path(
    operation_id = "listAgreements",
    tag = "agreements",
    params(PageQuery, AgreementFilters),
    responses(
        (status = 200, description = "A page of agreements", body = ListResponse<AgreementSummary>),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/agreements")]
pub async fn list_agreements(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    paging: Query<PageQuery>,
    filters: Query<AgreementFilters>,
) -> ApiResult<HttpResponse> {
    let filters = filters.0;
    let q = (filters.q)
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    let default = Sort {
        field: match q {
            Some(_) => AgreementSort::Relevance,
            None => AgreementSort::SignedOn,
        },
        descending: q.is_none(),
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let (after, paging) = start_after(sort.field, paging.0.check(&sort_key)?)?;
    let filter = AgreementFilter {
        q,
        doc_type: filters.doc_type,
        party: filters.party,
        signatory: filters.signatory,
        in_effect_on: filters.in_effect_on,
        signed_from: filters.signed_from,
        signed_to: filters.signed_to,
        status: filters.status,
    };
    let last = match paging.start {
        Start::Offset(n) => n,
        Start::After(_) => 0,
    } + paging.limit
        - 1;
    let cache = &state.public_cache;
    cache
        .list_page(&state.pool, &req, caller.0.is_none(), async |conn| {
            let (rows, total) =
                model::list(conn, &filter, sort.field, sort.descending, after, &paging).await?;
            Ok(ListResponse::from_rows(
                rows,
                &paging,
                total,
                |r| cursor_of(r, sort.field, &sort_key, last),
                AgreementSummary::from,
            ))
        })
        .await
}

/// Create an agreement with its parties, signatures and relations (editors and admins), in
/// one transaction: if anything is refused, nothing is written.
#[utoipa::path(
    operation_id = "createAgreement",
    tag = "agreements",
    security(("bearer" = [])),
    request_body = CreateAgreement,
    responses(
        (status = 201, description = "Created", body = AgreementView,
            headers(("Location" = String, description = "URL of the new agreement"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 409, description = "Another agreement has the same document number (folded) and signing day", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule (date order, an unknown organization, signatory or agreement…)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements")]
pub async fn create_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateAgreement>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let content = new_agreement(body.0)?;
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let id = model::create(conn, content).await?;
            record_write(conn, id, Verb::Created, actor, &media).await
        })
        .await?;
    let location = format!("/api/v1/agreements/{}", view.id);
    http::created(&view, Some(location))
}

/// Get an agreement with its parties, signatures, relations and articles.
#[utoipa::path(
    operation_id = "getAgreement",
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id")),
    responses(
        (status = 200, description = "The agreement", body = AgreementView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/agreements/{id}", guard = "crate::http::id_segment")]
pub async fn get_agreement(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let record = model::find(&mut conn, *id, public_only(&caller))
        .await?
        .ok_or_else(model::no_such_agreement)?;
    http::item(
        &req,
        &AgreementView::new(record, state.media_url()),
        Cache::for_caller(&caller.0),
    )
}

/// Update an agreement (partial; JSON merge semantics; a list given replaces the list), in
/// one transaction.
#[utoipa::path(
    operation_id = "updateAgreement",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateAgreement,
    responses(
        (status = 200, description = "The updated agreement", body = AgreementView),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another agreement has the same document number and signing day", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/agreements/{id}", guard = "crate::http::id_segment")]
pub async fn update_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateAgreement>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let changes = Changes::parse(body.0)?;
    let (actor, media, id) = (caller.actor(), state.media_url().to_string(), *id);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let url = media.clone();
            let changed = model::update(conn, id, move |current, record| {
                unchanged_since(&if_match, record, &url)?;
                changes.apply(current)
            })
            .await?;
            match changed {
                true => record_write(conn, id, Verb::Updated, actor, &media).await,
                false => load_view(conn, id, &media).await,
            }
        })
        .await?;
    http::item_written(&view)
}

/// Delete an agreement; one that other agreements relate to is a 409.
#[utoipa::path(
    operation_id = "deleteAgreement",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other agreements relate to it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/agreements/{id}", guard = "crate::http::id_segment")]
pub async fn delete_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let (actor, media, id) = (caller.actor(), state.media_url().to_string(), *id);
    let mut conn = state.pool.get().await?;
    let keys = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let url = media.clone();
            let (record, keys) = model::delete(conn, id, move |record| {
                unchanged_since(&if_match, record, &url)
            })
            .await?;
            let view = AgreementView::new(record, &media);
            events::record_one(conn, actor, Verb::Deleted, &view).await?;
            Ok(keys)
        })
        .await?;
    remove_files(state.media_store.as_ref(), &keys).await;
    Ok(HttpResponse::NoContent().finish())
}

/// What a signatory signed, newest first, with the positions they held at each signing.
#[utoipa::path(
    operation_id = "listSignatoryAgreements",
    tag = "signatories",
    params(("id" = Uuid, Path, description = "Signatory id")),
    responses(
        (status = 200, description = "The signatory's signatures", body = ListResponse<SignedAgreement>),
        (status = 404, description = "No such signatory", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signatories/{id}/agreements")]
pub async fn signatory_agreements(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    crate::signatories::model::find(&mut conn, *id, state.media_url())
        .await?
        .ok_or_else(crate::signatories::model::no_such_signatory)?;
    let data: Vec<SignedAgreement> = (model::signed_by(&mut conn, *id).await?.into_iter())
        .map(SignedAgreement::from)
        .collect();
    let limit = data.len() as i64;
    let page = ListResponse {
        data,
        meta: Meta {
            limit,
            next_cursor: None,
            total: Some(limit),
        },
    };
    http::list(&page, Cache::for_caller(&caller.0))
}
