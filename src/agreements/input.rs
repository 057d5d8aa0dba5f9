//! An agreement as an editor sends it, parsed into what the model writes: every text through
//! [`crate::domain`], every list checked for its length and positions, and the rules that span
//! fields (date and year order), so that one 422 names every field at fault.

use std::ops::RangeInclusive;

use chrono::NaiveDate;

use super::model::{AgreementContent, Party, Relation, Signature};
use super::views::{CreateAgreement, PartyInput, RelationInput, SignatureInput, UpdateAgreement};
use crate::domain::limits::{
    AGREEMENT_LIST_MAX, AGREEMENT_PLACE_MAX, AGREEMENT_POSITIONS, AGREEMENT_RELATIONS_MAX,
    AGREEMENT_SUMMARY_MAX, AGREEMENT_TITLE_MAX, POSITIONS_AT_SIGNING_MAX, REFERENCE_TEXT_MAX,
    SIGNING_TITLE_MAX, TERM_YEARS,
};
use crate::domain::{Body, DocumentNumber, Fields, PlainText, Refusal, Title};
use crate::error::{ApiResult, ModelError, ModelResult};

/// Why a number outside `range` is refused.
fn out_of(range: &RangeInclusive<i32>) -> Refusal {
    let (start, end) = (range.start(), range.end());
    Refusal::new("out_of_range", format!("must be between {start} and {end}"))
}

/// A term's year as stored, within [`TERM_YEARS`].
fn term_year(year: i32) -> Result<i16, Refusal> {
    (i16::try_from(year).ok())
        .filter(|_| TERM_YEARS.contains(&year))
        .ok_or_else(|| out_of(&TERM_YEARS))
}

/// Positions given or implied (index + 1), each unique and within [`AGREEMENT_POSITIONS`].
fn positions(
    fields: &mut Fields,
    list: &str,
    given: impl Iterator<Item = Option<i32>>,
) -> Vec<i32> {
    let mut out: Vec<i32> = Vec::new();
    for (i, p) in given.enumerate() {
        let p = p.unwrap_or(i as i32 + 1);
        if !AGREEMENT_POSITIONS.contains(&p) {
            let refusal = out_of(&AGREEMENT_POSITIONS);
            fields.push(
                format!("{list}.{i}.position"),
                refusal.code,
                refusal.message,
            );
        } else if out.contains(&p) {
            fields.push(
                format!("{list}.{i}.position"),
                "duplicate",
                "another item of the list has this position",
            );
        }
        out.push(p);
    }
    out
}

fn at_most(fields: &mut Fields, list: &str, len: usize, max: usize) {
    if len > max {
        fields.push(list, "too_many", format!("at most {max} items"));
    }
}

/// Text that parsed, or what the row keeps while the 422 is being gathered.
fn text(parsed: Option<impl Into<String>>) -> String {
    parsed.map(Into::into).unwrap_or_default()
}

fn parties(fields: &mut Fields, items: &[PartyInput]) -> Vec<Party> {
    at_most(fields, "parties", items.len(), AGREEMENT_LIST_MAX);
    let given = positions(fields, "parties", items.iter().map(|p| p.position));
    let mut parties: Vec<Party> = (items.iter().zip(given))
        .map(|(p, position)| Party {
            organization_id: p.organization_id,
            role: p.role.as_str().to_string(),
            position,
        })
        .collect();
    parties.sort_by_key(|p| p.position);
    parties
}

fn signatures(fields: &mut Fields, items: &[SignatureInput]) -> Vec<Signature> {
    at_most(fields, "signatures", items.len(), AGREEMENT_LIST_MAX);
    let given = positions(fields, "signatures", items.iter().map(|s| s.position));
    let mut signatures: Vec<Signature> = (items.iter().zip(given).enumerate())
        .map(|(i, (s, position))| Signature {
            signatory_id: s.signatory_id,
            organization_id: s.organization_id,
            authority_prefix: s.authority_prefix.map(|a| a.as_str().to_string()),
            signing_title: text(fields.take(
                format!("signatures.{i}.signing_title"),
                Title::parse(&s.signing_title, SIGNING_TITLE_MAX),
            )),
            positions_at_signing: text(fields.take(
                format!("signatures.{i}.positions_at_signing"),
                PlainText::parse(
                    s.positions_at_signing.as_deref().unwrap_or(""),
                    POSITIONS_AT_SIGNING_MAX,
                ),
            )),
            position,
        })
        .collect();
    signatures.sort_by_key(|s| s.position);
    signatures
}

fn relations(fields: &mut Fields, items: &[RelationInput]) -> Vec<Relation> {
    at_most(fields, "relations", items.len(), AGREEMENT_RELATIONS_MAX);
    (items.iter().enumerate())
        .map(|(i, r)| {
            let reference = r.reference_text.as_deref().map(|t| {
                text(fields.take(
                    format!("relations.{i}.reference_text"),
                    Title::parse(t, REFERENCE_TEXT_MAX),
                ))
            });
            if r.agreement_id.is_some() == reference.is_some() {
                fields.push(
                    format!("relations.{i}"),
                    "one_of",
                    "give either `agreement_id` or `reference_text`",
                );
            }
            Relation {
                kind: r.kind.as_str().to_string(),
                target_id: r.agreement_id,
                reference_text: reference,
            }
        })
        .collect()
}

fn document_number(fields: &mut Fields, raw: Option<&str>) -> Option<String> {
    let number = fields.take("document_number", DocumentNumber::parse(raw));
    number.flatten().map(Into::into)
}

fn year(fields: &mut Fields, field: &str, year: Option<i32>) -> Option<i16> {
    fields.take(field, term_year(year?))
}

/// The rules that span fields: date and year order, the years' range.
fn check_whole(fields: &mut Fields, c: &AgreementContent) {
    if let (Some(from), Some(to)) = (c.effective_from, c.effective_to)
        && to < from
    {
        fields.push(
            "effective_to",
            "before_start",
            "must be on or after `effective_from`",
        );
    }
    for (field, year) in [
        ("term_start_year", c.term_start_year),
        ("term_end_year", c.term_end_year),
    ] {
        if let Some(year) = year {
            fields.take(field, term_year(year.into()));
        }
    }
    if let (Some(start), Some(end)) = (c.term_start_year, c.term_end_year)
        && end < start
    {
        fields.push(
            "term_end_year",
            "before_start",
            "must be at or after `term_start_year`",
        );
    }
}

/// The checked content of a new agreement.
pub fn new_agreement(body: CreateAgreement) -> ApiResult<AgreementContent> {
    let mut fields = Fields::new();
    let content = AgreementContent {
        document_number: document_number(&mut fields, body.document_number.as_deref()),
        doc_type: body.doc_type.as_str().to_string(),
        title: text(fields.take("title", Title::parse(&body.title, AGREEMENT_TITLE_MAX))),
        summary: text(fields.take(
            "summary",
            PlainText::parse(body.summary.as_deref().unwrap_or(""), AGREEMENT_SUMMARY_MAX),
        )),
        body: text(fields.take("body", Body::parse(body.body.as_deref().unwrap_or("")))),
        place: text(fields.take(
            "place",
            PlainText::parse(body.place.as_deref().unwrap_or(""), AGREEMENT_PLACE_MAX),
        )),
        signed_on: body.signed_on,
        effective_from: body.effective_from,
        effective_to: body.effective_to,
        term_start_year: year(&mut fields, "term_start_year", body.term_start_year),
        term_end_year: year(&mut fields, "term_end_year", body.term_end_year),
        parties: parties(&mut fields, body.parties.as_deref().unwrap_or(&[])),
        signatures: signatures(&mut fields, body.signatures.as_deref().unwrap_or(&[])),
        relations: relations(&mut fields, body.relations.as_deref().unwrap_or(&[])),
    };
    check_whole(&mut fields, &content);
    fields.finish()?;
    Ok(content)
}

/// A change to an agreement, checked field by field; [`Changes::apply`] checks the result.
#[derive(Debug)]
pub struct Changes {
    document_number: Option<Option<String>>,
    doc_type: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    body: Option<String>,
    place: Option<String>,
    signed_on: Option<Option<NaiveDate>>,
    effective_from: Option<Option<NaiveDate>>,
    effective_to: Option<Option<NaiveDate>>,
    term_start_year: Option<Option<i16>>,
    term_end_year: Option<Option<i16>>,
    parties: Option<Vec<Party>>,
    signatures: Option<Vec<Signature>>,
    relations: Option<Vec<Relation>>,
}

impl Changes {
    pub fn parse(b: UpdateAgreement) -> ApiResult<Changes> {
        let mut fields = Fields::new();
        let f = &mut fields;
        let document_number = b.document_number.map(|n| document_number(f, n.as_deref()));
        let title = (b.title.as_deref())
            .map(|t| text(f.take("title", Title::parse(t, AGREEMENT_TITLE_MAX))));
        let summary = (b.summary.as_deref())
            .map(|s| text(f.take("summary", PlainText::parse(s, AGREEMENT_SUMMARY_MAX))));
        let body = (b.body.as_deref()).map(|h| text(f.take("body", Body::parse(h))));
        let place = (b.place.as_deref())
            .map(|p| text(f.take("place", PlainText::parse(p, AGREEMENT_PLACE_MAX))));
        let parties = b.parties.as_deref().map(|p| parties(f, p));
        let signatures = b.signatures.as_deref().map(|s| signatures(f, s));
        let relations = b.relations.as_deref().map(|r| relations(f, r));
        let term_start_year = (b.term_start_year).map(|y| year(f, "term_start_year", y));
        let term_end_year = (b.term_end_year).map(|y| year(f, "term_end_year", y));
        fields.finish()?;
        Ok(Changes {
            document_number,
            doc_type: b.doc_type.map(|d| d.as_str().to_string()),
            title,
            summary,
            body,
            place,
            signed_on: b.signed_on,
            effective_from: b.effective_from,
            effective_to: b.effective_to,
            term_start_year,
            term_end_year,
            parties,
            signatures,
            relations,
        })
    }

    /// `current` with the changes, checked as a whole.
    pub fn apply(self, current: &AgreementContent) -> ModelResult<AgreementContent> {
        let current = current.clone();
        let next = AgreementContent {
            document_number: self.document_number.unwrap_or(current.document_number),
            doc_type: self.doc_type.unwrap_or(current.doc_type),
            title: self.title.unwrap_or(current.title),
            summary: self.summary.unwrap_or(current.summary),
            body: self.body.unwrap_or(current.body),
            place: self.place.unwrap_or(current.place),
            signed_on: self.signed_on.unwrap_or(current.signed_on),
            effective_from: self.effective_from.unwrap_or(current.effective_from),
            effective_to: self.effective_to.unwrap_or(current.effective_to),
            term_start_year: self.term_start_year.unwrap_or(current.term_start_year),
            term_end_year: self.term_end_year.unwrap_or(current.term_end_year),
            parties: self.parties.unwrap_or(current.parties),
            signatures: self.signatures.unwrap_or(current.signatures),
            relations: self.relations.unwrap_or(current.relations),
        };
        let mut fields = Fields::new();
        check_whole(&mut fields, &next);
        match fields.is_empty() {
            true => Ok(next),
            false => Err(ModelError::Invalid(fields.into_errors())),
        }
    }
}
