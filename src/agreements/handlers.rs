//! `/agreements`: anyone reads; editors and admins write. Also `GET /agreements/doc-types`
//! and `GET /signatories/{id}/agreements` (the signatures are the agreements').

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::model::{
    self, AgreementContent, AgreementFilter, AgreementSort, Party, Relation, Signature,
};
use super::views::{
    AgreementFilters, AgreementSummary, AgreementView, CreateAgreement, DocType, DocTypeView,
    PartyInput, RelationInput, SignatureInput, SignedAgreement, UpdateAgreement,
};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::db::visibility;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, Meta, PageQuery, Sort, Start, parse_sort};
use crate::state::AppState;
use crate::text;

const SORTS: &[(&str, AgreementSort)] = &[
    ("signed_on", AgreementSort::SignedOn),
    ("title", AgreementSort::Title),
    ("created_at", AgreementSort::CreatedAt),
];

const LIST_MAX: usize = 20;
const RELATIONS_MAX: usize = 50;

/// Positions given or implied (index + 1), each unique and within 1–1000.
fn positions(
    errors: &mut Vec<FieldError>,
    list: &str,
    given: impl Iterator<Item = Option<i32>>,
) -> Vec<i32> {
    let mut out: Vec<i32> = Vec::new();
    for (i, p) in given.enumerate() {
        let p = p.unwrap_or(i as i32 + 1);
        if !(1..=1000).contains(&p) {
            errors.push(FieldError::new(
                format!("{list}.{i}.position"),
                "out_of_range",
                "must be between 1 and 1000",
            ));
        } else if out.contains(&p) {
            errors.push(FieldError::new(
                format!("{list}.{i}.position"),
                "duplicate",
                "another item of the list has this position",
            ));
        }
        out.push(p);
    }
    out
}

fn too_many(errors: &mut Vec<FieldError>, list: &str, len: usize, max: usize) {
    if len > max {
        errors.push(FieldError::new(
            list,
            "too_many",
            format!("at most {max} items"),
        ));
    }
}

fn check_parties(errors: &mut Vec<FieldError>, items: &[PartyInput]) -> Vec<Party> {
    too_many(errors, "parties", items.len(), LIST_MAX);
    let pos = positions(errors, "parties", items.iter().map(|p| p.position));
    let mut parties: Vec<Party> = items
        .iter()
        .zip(pos)
        .map(|(p, position)| Party {
            organization_id: p.organization_id,
            role: p.role.as_str().to_string(),
            position,
        })
        .collect();
    parties.sort_by_key(|p| p.position);
    parties
}

fn check_signatures(errors: &mut Vec<FieldError>, items: &[SignatureInput]) -> Vec<Signature> {
    too_many(errors, "signatures", items.len(), LIST_MAX);
    let pos = positions(errors, "signatures", items.iter().map(|s| s.position));
    let mut signatures: Vec<Signature> = items
        .iter()
        .zip(pos)
        .enumerate()
        .map(|(i, (s, position))| Signature {
            signatory_id: s.signatory_id,
            organization_id: s.organization_id,
            authority_prefix: s.authority_prefix.map(|a| a.as_str().to_string()),
            signing_title: http::checked_text(
                errors,
                &format!("signatures.{i}.signing_title"),
                &s.signing_title,
                true,
                300,
            ),
            positions_at_signing: http::checked_text(
                errors,
                &format!("signatures.{i}.positions_at_signing"),
                s.positions_at_signing.as_deref().unwrap_or(""),
                false,
                500,
            ),
            position,
        })
        .collect();
    signatures.sort_by_key(|s| s.position);
    signatures
}

fn check_relations(errors: &mut Vec<FieldError>, items: &[RelationInput]) -> Vec<Relation> {
    too_many(errors, "relations", items.len(), RELATIONS_MAX);
    items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let reference = r.reference_text.as_deref().map(|t| {
                http::checked_text(
                    errors,
                    &format!("relations.{i}.reference_text"),
                    t,
                    true,
                    500,
                )
            });
            if r.agreement_id.is_some() == reference.is_some() {
                errors.push(FieldError::new(
                    format!("relations.{i}"),
                    "one_of",
                    "give either `agreement_id` or `reference_text`",
                ));
            }
            Relation {
                kind: r.kind.as_str().to_string(),
                target_id: r.agreement_id,
                reference_text: reference,
            }
        })
        .collect()
}

fn check_number(errors: &mut Vec<FieldError>, number: Option<&str>) -> Option<String> {
    let number = number.map(str::trim).filter(|n| !n.is_empty())?;
    Some(http::checked_text(
        errors,
        "document_number",
        number,
        true,
        100,
    ))
}

fn check_body(errors: &mut Vec<FieldError>, body: &str) -> String {
    if body.len() > crate::http::JSON_LIMIT / 2 {
        errors.push(FieldError::new("body", "too_long", "at most 512 KiB"));
        return String::new();
    }
    text::sanitize_html(body)
}

/// A year as stored: 1900–2200, else a 422 (the row keeps `None`).
fn check_year(errors: &mut Vec<FieldError>, field: &str, year: Option<i32>) -> Option<i16> {
    let year = year?;
    match i16::try_from(year) {
        Ok(y) if (1900..=2200).contains(&y) => Some(y),
        _ => {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                "must be between 1900 and 2200",
            ));
            None
        }
    }
}

/// The rules that span fields: date and year order, the year range.
fn check_whole(errors: &mut Vec<FieldError>, c: &AgreementContent) {
    if let (Some(from), Some(to)) = (c.effective_from, c.effective_to)
        && to < from
    {
        errors.push(FieldError::new(
            "effective_to",
            "before_start",
            "must be on or after `effective_from`",
        ));
    }
    for (field, year) in [
        ("term_start_year", c.term_start_year),
        ("term_end_year", c.term_end_year),
    ] {
        if year.is_some_and(|y| !(1900..=2200).contains(&y)) {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                "must be between 1900 and 2200",
            ));
        }
    }
    if let (Some(start), Some(end)) = (c.term_start_year, c.term_end_year)
        && end < start
    {
        errors.push(FieldError::new(
            "term_end_year",
            "before_start",
            "must be at or after `term_start_year`",
        ));
    }
}

fn public_only(caller: &MaybeCaller) -> bool {
    caller.0.is_none()
}

/// The document types with their Vietnamese labels.
#[utoipa::path(
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

/// List agreements, their parties and signatures embedded.
#[utoipa::path(
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
    let q = filters
        .q
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    let default = Sort {
        field: if q.is_some() {
            AgreementSort::Relevance
        } else {
            AgreementSort::SignedOn
        },
        descending: q.is_none(),
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let filter = AgreementFilter {
        q,
        doc_type: filters.doc_type.map(|d| d.code().to_string()),
        party: filters.party,
        signatory: filters.signatory,
        in_effect_on: filters.in_effect_on,
        signed_from: filters.signed_from,
        signed_to: filters.signed_to,
        status: filters.status.map(|s| s.as_str().to_string()),
    };
    let start = match &paging.start {
        Start::Offset(n) => *n,
        Start::After(Some(c)) => c.value.as_i64().unwrap_or(0),
        Start::After(None) => 0,
    };
    let cache_key = match caller.0 {
        None => state.public_cache.key(req.path(), req.query_string()),
        Some(_) => None,
    };
    let kept = cache_key.is_some();
    let body = state
        .public_cache
        .get_or_compute(cache_key, async {
            let mut conn = state.pool.get().await?;
            if kept {
                let next = visibility::next_publication(&mut conn);
                state.public_cache.learn_horizon(next).await?;
            }
            let (rows, total) = model::list(&mut conn, &filter, sort, &paging).await?;
            let last = start + paging.limit - 1;
            let page = ListResponse::from_rows(
                rows,
                &paging,
                total,
                |r| model::cursor_of(r, sort, &sort_key, last),
                AgreementSummary::from,
            );
            Ok(bytes::Bytes::from(
                serde_json::to_vec(&page).map_err(ApiError::internal)?,
            ))
        })
        .await?;
    Ok(http::list_bytes(body, Cache::for_caller(&caller.0)))
}

/// The checked content of a new agreement.
fn content_of(body: CreateAgreement) -> ApiResult<AgreementContent> {
    let mut errors = Vec::new();
    let content = AgreementContent {
        document_number: check_number(&mut errors, body.document_number.as_deref()),
        doc_type: body.doc_type.code().to_string(),
        title: http::checked_text(&mut errors, "title", &body.title, true, 1000),
        summary: http::checked_text(
            &mut errors,
            "summary",
            body.summary.as_deref().unwrap_or(""),
            false,
            4000,
        ),
        body: check_body(&mut errors, body.body.as_deref().unwrap_or("")),
        place: http::checked_text(
            &mut errors,
            "place",
            body.place.as_deref().unwrap_or(""),
            false,
            200,
        ),
        signed_on: body.signed_on,
        effective_from: body.effective_from,
        effective_to: body.effective_to,
        term_start_year: check_year(&mut errors, "term_start_year", body.term_start_year),
        term_end_year: check_year(&mut errors, "term_end_year", body.term_end_year),
        parties: check_parties(&mut errors, body.parties.as_deref().unwrap_or(&[])),
        signatures: check_signatures(&mut errors, body.signatures.as_deref().unwrap_or(&[])),
        relations: check_relations(&mut errors, body.relations.as_deref().unwrap_or(&[])),
    };
    check_whole(&mut errors, &content);
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Create an agreement with its parties, signatures and relations (editors and admins), in
/// one transaction: if anything is refused, nothing is written.
#[utoipa::path(
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
    let content = content_of(body.0)?;
    let mut conn = state.pool.get().await?;
    let id = model::create(&mut conn, content).await?;
    let record = model::find(&mut conn, id, false, state.media_url())
        .await?
        .ok_or_else(model::no_such_agreement)?;
    http::created(
        &AgreementView::from(record),
        Some(format!("/api/v1/agreements/{id}")),
    )
}

/// Get an agreement with its parties, signatures, relations and articles.
#[utoipa::path(
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
    let record = model::find(&mut conn, *id, public_only(&caller), state.media_url())
        .await?
        .ok_or_else(model::no_such_agreement)?;
    http::item(
        &req,
        &AgreementView::from(record),
        Cache::for_caller(&caller.0),
    )
}

/// Update an agreement (partial; JSON merge semantics; a list given replaces the list), in
/// one transaction.
#[utoipa::path(
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
    let b = body.0;
    let mut errors = Vec::new();
    let number = b
        .document_number
        .map(|n| check_number(&mut errors, n.as_deref()));
    let title = b
        .title
        .as_deref()
        .map(|t| http::checked_text(&mut errors, "title", t, true, 1000));
    let summary = b
        .summary
        .as_deref()
        .map(|s| http::checked_text(&mut errors, "summary", s, false, 4000));
    let html = b.body.as_deref().map(|h| check_body(&mut errors, h));
    let place = b
        .place
        .as_deref()
        .map(|p| http::checked_text(&mut errors, "place", p, false, 200));
    let parties = b.parties.as_deref().map(|p| check_parties(&mut errors, p));
    let signatures = b
        .signatures
        .as_deref()
        .map(|s| check_signatures(&mut errors, s));
    let relations = b
        .relations
        .as_deref()
        .map(|r| check_relations(&mut errors, r));
    let start_year = b
        .term_start_year
        .map(|y| check_year(&mut errors, "term_start_year", y));
    let end_year = b
        .term_end_year
        .map(|y| check_year(&mut errors, "term_end_year", y));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut conn = state.pool.get().await?;
    model::update(&mut conn, *id, state.media_url(), move |current, record| {
        if_match.check(&AgreementView::from(record.clone()))?;
        let mut next = current.clone();
        if let Some(v) = number {
            next.document_number = v;
        }
        if let Some(v) = b.doc_type {
            next.doc_type = v.code().to_string();
        }
        if let Some(v) = title {
            next.title = v;
        }
        if let Some(v) = summary {
            next.summary = v;
        }
        if let Some(v) = html {
            next.body = v;
        }
        if let Some(v) = place {
            next.place = v;
        }
        if let Some(v) = b.signed_on {
            next.signed_on = v;
        }
        if let Some(v) = b.effective_from {
            next.effective_from = v;
        }
        if let Some(v) = b.effective_to {
            next.effective_to = v;
        }
        if let Some(v) = start_year {
            next.term_start_year = v;
        }
        if let Some(v) = end_year {
            next.term_end_year = v;
        }
        if let Some(v) = parties {
            next.parties = v;
        }
        if let Some(v) = signatures {
            next.signatures = v;
        }
        if let Some(v) = relations {
            next.relations = v;
        }
        let mut errors = Vec::new();
        check_whole(&mut errors, &next);
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(ApiError::Validation(errors))
        }
    })
    .await?;
    let record = model::find(&mut conn, *id, false, state.media_url())
        .await?
        .ok_or_else(model::no_such_agreement)?;
    http::item_written(&AgreementView::from(record))
}

/// Delete an agreement; one that other agreements relate to is a 409.
#[utoipa::path(
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
    let mut conn = state.pool.get().await?;
    let keys = model::delete(&mut conn, *id, state.media_url(), move |record| {
        Ok(if_match.check(&AgreementView::from(record.clone()))?)
    })
    .await?;
    super::attachments::remove_files(state.media_store.as_ref(), &keys).await;
    Ok(HttpResponse::NoContent().finish())
}

/// What a signatory signed, newest first, with the positions they held at each signing.
#[utoipa::path(
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
    let media = state.media_url();
    crate::signatories::model::find(&mut conn, *id, media)
        .await?
        .ok_or_else(crate::signatories::model::no_such_signatory)?;
    let rows = model::signed_by(&mut conn, *id).await?;
    let data = rows
        .into_iter()
        .map(|r| RawValue::from_string(r.json).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    let limit = data.len() as i64;
    let page = serde_json::json!({
        "data": data,
        "meta": Meta { limit, next_cursor: None, total: Some(limit) },
    });
    http::list(&page, Cache::for_caller(&caller.0))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(doc_types)
        .service(list_agreements)
        .service(create_agreement)
        .service(get_agreement)
        .service(update_agreement)
        .service(delete_agreement)
        .service(signatory_agreements)
        .service(super::attachments::upload_attachment)
        .service(super::attachments::delete_attachment);
}
