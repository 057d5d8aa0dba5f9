//! The words an agreement is described with: its document type, a party's role, the authority
//! a signature is given under, how it relates to other documents, where it stands. Each is
//! written in the API and stored in the database as the same text; the database's CHECKs
//! hold the same lists, so a stored word that is none of them is an error, never a default.

use diesel::deserialize::{FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The text of each word (`as_str`, `parse`) and its column type (`Text` both ways).
macro_rules! words {
    ($kind:ident, $what:literal { $($word:ident => $text:literal),+ $(,)? }) => {
        impl $kind {
            pub const ALL: [$kind; [$($text),+].len()] = [$($kind::$word),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($kind::$word => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<$kind> {
                match text {
                    $($text => Some($kind::$word),)+
                    _ => None,
                }
            }
        }

        impl FromSql<Text, Pg> for $kind {
            fn from_sql(bytes: PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                $kind::parse(&text).ok_or_else(|| {
                    format!(concat!("unknown ", $what, " in the database: {:?}"), text).into()
                })
            }
        }

        impl ToSql<Text, Pg> for $kind {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
            }
        }
    };
}

/// The kind of document, chosen by the editor (never derived from the number's
/// abbreviation, which differs between state and Party documents).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[serde(rename_all = "snake_case")]
#[diesel(sql_type = Text)]
pub enum DocType {
    /// Quy chế
    QuyChe,
    /// Chương trình
    ChuongTrinh,
    /// Kế hoạch
    KeHoach,
    /// Nghị quyết
    NghiQuyet,
    /// Quyết định
    QuyetDinh,
    /// Bản ghi nhớ
    BanGhiNho,
    /// Thỏa thuận
    ThoaThuan,
    /// Khác
    Khac,
}

words!(DocType, "document type" {
    QuyChe => "quy_che",
    ChuongTrinh => "chuong_trinh",
    KeHoach => "ke_hoach",
    NghiQuyet => "nghi_quyet",
    QuyetDinh => "quyet_dinh",
    BanGhiNho => "ban_ghi_nho",
    ThoaThuan => "thoa_thuan",
    Khac => "khac",
});

impl DocType {
    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            DocType::QuyChe => "Quy chế",
            DocType::ChuongTrinh => "Chương trình",
            DocType::KeHoach => "Kế hoạch",
            DocType::NghiQuyet => "Nghị quyết",
            DocType::QuyetDinh => "Quyết định",
            DocType::BanGhiNho => "Bản ghi nhớ",
            DocType::ThoaThuan => "Thỏa thuận",
            DocType::Khac => "Khác",
        }
    }
}

/// A party's part in an agreement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum PartyRole {
    /// Chủ trì: the presiding body.
    Lead,
    /// Phối hợp.
    Partner,
}

words!(PartyRole, "party role" {
    Lead => "lead",
    Partner => "partner",
});

/// The authority a signature is given under.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
pub enum AuthorityPrefix {
    /// Thay mặt: for a collective.
    #[serde(rename = "TM.")]
    Tm,
    /// Ký thay: a deputy for the head.
    #[serde(rename = "KT.")]
    Kt,
    /// Quyền: acting head.
    #[serde(rename = "Q.")]
    Q,
    /// Thừa lệnh.
    #[serde(rename = "TL.")]
    Tl,
    /// Thừa ủy quyền.
    #[serde(rename = "TUQ.")]
    Tuq,
}

words!(AuthorityPrefix, "authority prefix" {
    Tm => "TM.",
    Kt => "KT.",
    Q => "Q.",
    Tl => "TL.",
    Tuq => "TUQ.",
});

/// How an agreement relates to another document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[serde(rename_all = "snake_case")]
#[diesel(sql_type = Text)]
pub enum RelationKind {
    /// Thay thế.
    Replaces,
    /// Sửa đổi, bổ sung.
    Amends,
    /// Bãi bỏ.
    Repeals,
    /// Đính chính.
    Corrects,
    /// Căn cứ.
    BasedOn,
    /// Thực hiện, hướng dẫn thi hành.
    Implements,
    /// Dẫn chiếu.
    References,
}

words!(RelationKind, "relation kind" {
    Replaces => "replaces",
    Amends => "amends",
    Repeals => "repeals",
    Corrects => "corrects",
    BasedOn => "based_on",
    Implements => "implements",
    References => "references",
});

/// Where an agreement stands, computed on read from its dates (in the site's time zone) and
/// from the agreements that replace it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[serde(rename_all = "snake_case")]
#[diesel(sql_type = Text)]
pub enum AgreementStatus {
    /// Takes effect later (`effective_from`, else `signed_on`, is after today).
    Upcoming,
    InEffect,
    /// `effective_to` has passed.
    Expired,
    /// Another agreement `replaces` it.
    Superseded,
}

words!(AgreementStatus, "agreement status" {
    Upcoming => "upcoming",
    InEffect => "in_effect",
    Expired => "expired",
    Superseded => "superseded",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_written_as_serde_writes_it() {
        fn check<T: Serialize + Copy>(all: &[T], text: impl Fn(T) -> &'static str) {
            for &word in all {
                assert_eq!(serde_json::to_value(word).unwrap(), text(word));
            }
        }
        check(&DocType::ALL, DocType::as_str);
        check(&PartyRole::ALL, PartyRole::as_str);
        check(&AuthorityPrefix::ALL, AuthorityPrefix::as_str);
        check(&RelationKind::ALL, RelationKind::as_str);
        check(&AgreementStatus::ALL, AgreementStatus::as_str);
        assert_eq!(RelationKind::parse("based_on"), Some(RelationKind::BasedOn));
        assert_eq!(DocType::parse("cong_van"), None);
    }
}
