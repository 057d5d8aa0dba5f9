//! The demo's agreements with their parties, signatures and relations, found by title and
//! signing day.

use std::collections::HashMap;

use diesel::OptionalExtension;
use diesel::sql_types::{Date, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::agreements::model::{self as model, AgreementContent, Party, Relation, Signature};
use crate::agreements::record::record_write;
use crate::db::sql::Sql;
use crate::domain::limits::{
    AGREEMENT_PLACE_MAX, AGREEMENT_SUMMARY_MAX, AGREEMENT_TITLE_MAX, POSITIONS_AT_SIGNING_MAX,
    REFERENCE_TEXT_MAX, SIGNING_TITLE_MAX,
};
use crate::domain::{DocumentNumber, PlainText, Refusal, Title};
use crate::error::ApiError;
use crate::events::{Actor, Verb};

use super::fixture::DemoAgreement;
use super::{Found, Tally, invalid};

/// The demo's agreements, found by title and signing day or created with their parties,
/// signatures and relations.
pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    demo: &[DemoAgreement],
    orgs: &HashMap<String, Uuid>,
    people: &HashMap<String, Uuid>,
    url: &str,
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids = HashMap::new();
    let org = |k: &String| {
        orgs.get(k)
            .copied()
            .ok_or_else(|| invalid(format!("no organization `{k}`")))
    };
    for a in demo {
        // The rules of `POST /agreements`.
        let refused = |r: Refusal| invalid(format!("agreement `{}`: {}", a.title, r.message));
        let title = Title::parse(&a.title, AGREEMENT_TITLE_MAX)
            .map_err(refused)?
            .into_inner();
        let mut find = Sql::new("SELECT id FROM agreements WHERE title = ");
        find.bind::<Text, _>(title.clone())
            .push(" AND signed_on IS NOT DISTINCT FROM ")
            .bind::<Nullable<Date>, _>(a.signed_on);
        if let Some(f) = find.get_result::<Found>(conn).await.optional()? {
            tally.unchanged += 1;
            ids.insert(a.key.clone(), f.id);
            continue;
        }
        let content = AgreementContent {
            document_number: DocumentNumber::parse(a.document_number.as_deref())
                .map_err(refused)?
                .map(String::from),
            doc_type: a.doc_type.clone(),
            title,
            summary: PlainText::parse(&a.summary, AGREEMENT_SUMMARY_MAX)
                .map_err(refused)?
                .into_inner(),
            body: String::new(),
            place: PlainText::parse(&a.place, AGREEMENT_PLACE_MAX)
                .map_err(refused)?
                .into_inner(),
            signed_on: a.signed_on,
            effective_from: None,
            effective_to: None,
            term_start_year: a.term_start_year,
            term_end_year: a.term_end_year,
            parties: a
                .parties
                .iter()
                .map(|p| {
                    Ok(Party {
                        organization_id: org(&p.organization)?,
                        role: p.role.clone(),
                        position: p.position,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            signatures: a
                .signatures
                .iter()
                .map(|s| {
                    Ok(Signature {
                        signatory_id: people
                            .get(&s.signatory)
                            .copied()
                            .ok_or_else(|| invalid(format!("no signatory `{}`", s.signatory)))?,
                        organization_id: s.organization.as_ref().map(org).transpose()?,
                        authority_prefix: None,
                        signing_title: Title::parse(&s.signing_title, SIGNING_TITLE_MAX)
                            .map_err(refused)?
                            .into_inner(),
                        positions_at_signing: PlainText::parse(
                            &s.positions_at_signing,
                            POSITIONS_AT_SIGNING_MAX,
                        )
                        .map_err(refused)?
                        .into_inner(),
                        position: s.position,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            relations: a
                .relations
                .iter()
                .map(|r| {
                    let text =
                        Title::parse(&r.reference_text, REFERENCE_TEXT_MAX).map_err(refused)?;
                    Ok(Relation {
                        kind: r.kind.clone(),
                        target_id: None,
                        reference_text: Some(text.into_inner()),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
        };
        tally.created += 1;
        let id = model::create(conn, content).await?;
        record_write(conn, id, Verb::Created, Actor::SYSTEM, url).await?;
        ids.insert(a.key.clone(), id);
    }
    Ok((tally, ids))
}
