//! The lists an agreement's reads embed (parties, signatures, relations, reporting articles,
//! attached files), each read in the agreement's own statement as an array of `ROW(…)`
//! values: a row type below names its fields once, in the order of its `ROW`, with their SQL
//! types; the subquery that builds its array stands beside it.

use std::sync::LazyLock;

use diesel::Queryable;
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{Int4, Int8, Nullable, Record, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::agreements::kinds::{AuthorityPrefix, PartyRole, RelationKind};

/// A row type read from a `ROW(…)` of its fields, in order, and the SQL type of that `ROW`;
/// also read from the same columns in a select of diesel's query builder.
macro_rules! embedded {
    (
        $(#[$meta:meta])*
        pub struct $row:ident as $sql:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty = $st:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Queryable)]
        pub struct $row {
            $($(#[$field_meta])* pub $field: $ty),+
        }

        #[doc = concat!("The SQL type of the `ROW(…)` a [`", stringify!($row), "`] is read from.")]
        pub type $sql = Record<($($st,)+)>;

        impl FromSql<$sql, Pg> for $row {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let ($($field,)+) = <($($ty,)+) as FromSql<$sql, Pg>>::from_sql(value)?;
                Ok($row { $($field),+ })
            }
        }
    };
}

/// The array of `ROW(…)`s a subquery aggregates, never `NULL` (an empty list is `{}`).
fn list_of(row: &str, order: &str, from: &str) -> String {
    format!("(SELECT coalesce(array_agg({row} ORDER BY {order}), '{{}}') {from})")
}

embedded! {
    /// An organisation as embedded (alias `o`).
    pub struct OrganizationRow as OrganizationSql {
        id: Uuid = SqlUuid,
        name: String = Text,
        short_name: String = Text,
        /// An `OrganizationKind`'s word.
        kind: String = Text,
    }
}

const ORGANIZATION: &str = "ROW(o.id, o.name, o.short_name, o.kind)";

embedded! {
    /// A party of agreement `g`.
    pub struct PartyRow as PartySql {
        organization: OrganizationRow = OrganizationSql,
        role: PartyRole = Text,
        position: i32 = Int4,
    }
}

/// The parties of agreement `g`, in position order.
pub static PARTIES: LazyLock<String> = LazyLock::new(|| {
    list_of(
        &format!("ROW({ORGANIZATION}, p.role, p.position)"),
        "p.position",
        "FROM agreement_parties p JOIN organizations o ON o.id = p.organization_id \
         WHERE p.agreement_id = g.id",
    )
});

embedded! {
    /// A signature block of agreement `g`, with the signatory as they are now.
    pub struct SignatureRow as SignatureSql {
        signatory_id: Uuid = SqlUuid,
        full_name: String = Text,
        current_position: String = Text,
        /// The body signed for.
        organization: Option<OrganizationRow> = Nullable<OrganizationSql>,
        authority_prefix: Option<AuthorityPrefix> = Nullable<Text>,
        signing_title: String = Text,
        positions_at_signing: String = Text,
        position: i32 = Int4,
    }
}

/// The signatures of agreement `g`, in position order.
pub static SIGNATURES: LazyLock<String> = LazyLock::new(|| {
    list_of(
        &format!(
            "ROW(s.id, s.full_name, s.current_position, \
             CASE WHEN o.id IS NULL THEN NULL ELSE {ORGANIZATION} END, \
             sg.authority_prefix, sg.signing_title, sg.positions_at_signing, sg.position)"
        ),
        "sg.position",
        "FROM agreement_signatures sg JOIN signatories s ON s.id = sg.signatory_id \
         LEFT JOIN organizations o ON o.id = sg.organization_id WHERE sg.agreement_id = g.id",
    )
});

embedded! {
    /// A signature as a list shows it: who signed, as what.
    pub struct SignatureSummaryRow as SignatureSummarySql {
        signatory_id: Uuid = SqlUuid,
        full_name: String = Text,
        signing_title: String = Text,
        position: i32 = Int4,
    }
}

/// The signatures of agreement `g` as a list shows them, in position order.
pub static SIGNATURE_SUMMARIES: LazyLock<String> = LazyLock::new(|| {
    list_of(
        "ROW(s.id, s.full_name, sg.signing_title, sg.position)",
        "sg.position",
        "FROM agreement_signatures sg JOIN signatories s ON s.id = sg.signatory_id \
         WHERE sg.agreement_id = g.id",
    )
});

embedded! {
    /// Another agreement, as a relation or a signatory's list names it.
    pub struct AgreementRefRow as AgreementRefSql {
        id: Uuid = SqlUuid,
        document_number: Option<String> = Nullable<Text>,
        title: String = Text,
    }
}

embedded! {
    /// A relation of agreement `g`: to another agreement, or to a document by its reference.
    pub struct RelationRow as RelationSql {
        kind: RelationKind = Text,
        agreement: Option<AgreementRefRow> = Nullable<AgreementRefSql>,
        reference_text: Option<String> = Nullable<Text>,
        position: i32 = Int4,
    }
}

/// The relations of agreement `g`, in position order.
pub static RELATIONS: LazyLock<String> = LazyLock::new(|| {
    list_of(
        "ROW(r.kind, CASE WHEN t.id IS NULL THEN NULL ELSE ROW(t.id, t.document_number, t.title) END, \
         r.reference_text, r.position)",
        "r.position",
        "FROM agreement_relations r LEFT JOIN agreements t ON t.id = r.target_id \
         WHERE r.agreement_id = g.id",
    )
});

embedded! {
    /// An article that reports agreement `g`.
    pub struct ArticleRefRow as ArticleRefSql {
        id: Uuid = SqlUuid,
        slug: String = Text,
        title: String = Text,
    }
}

/// The articles that report agreement `g` and that `visible` (a condition on article `a`)
/// admits, newest first.
pub fn articles_of(visible: &str) -> String {
    list_of(
        "ROW(a.id, a.slug, a.title)",
        "a.published_at DESC NULLS LAST, a.id",
        &format!(
            "FROM article_agreements aa JOIN articles a ON a.id = aa.article_id \
             WHERE aa.agreement_id = g.id AND {visible}"
        ),
    )
}

embedded! {
    /// A file attached to agreement `g`.
    pub struct AttachmentRow as AttachmentSql {
        id: Uuid = SqlUuid,
        file_name: String = Text,
        mime_type: String = Text,
        size_bytes: i64 = Int8,
        /// Where the media backend keeps it (its URL is the media URL and this).
        storage_key: String = Text,
    }
}

/// The files attached to agreement `g`, oldest first.
pub static ATTACHMENTS: LazyLock<String> = LazyLock::new(|| {
    list_of(
        "ROW(t.id, t.file_name, t.mime_type, t.size_bytes, t.storage_key)",
        "t.created_at, t.id",
        "FROM agreement_attachments t WHERE t.agreement_id = g.id",
    )
});
