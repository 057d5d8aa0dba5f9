//! Collection paging as docs/contract.md: `limit` 1–100, opaque keyset `cursor`, numbered `page`,
//! `with_total`, and the `{data, meta}` envelope.

use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ModelError, ModelResult};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// Deepest numbered page served; deeper reads use the cursor.
pub const MAX_PAGE: i64 = 100_000;

/// The paging parameters every collection takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    /// The opaque `meta.next_cursor` of the previous page (keyset paging).
    pub cursor: Option<String>,
    /// 1-based page number (numbered paging; implies `with_total`). Not with `cursor`.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<i64>,
    /// Include `meta.total`.
    pub with_total: Option<bool>,
}

/// Where a page starts.
#[derive(Debug, Clone)]
pub enum Start {
    /// From the first item, or after the cursor's position.
    After(Option<Cursor>),
    /// Skip this many items (numbered paging).
    Offset(i64),
}

/// Checked paging parameters.
#[derive(Debug, Clone)]
pub struct Paging {
    pub limit: i64,
    pub start: Start,
    pub with_total: bool,
}

impl PageQuery {
    /// Validates the parameters for a collection sorted by `sort` (cursors remember their sort).
    pub fn check(&self, sort: &str) -> ApiResult<Paging> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_field(
                "limit",
                "out_of_range",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let start = match (&self.cursor, self.page) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_field(
                    "page",
                    "conflict",
                    "use either `cursor` or `page`, not both",
                ));
            }
            (None, Some(page)) => {
                if !(1..=MAX_PAGE).contains(&page) {
                    return Err(ApiError::bad_field(
                        "page",
                        "out_of_range",
                        format!("must be between 1 and {MAX_PAGE}"),
                    ));
                }
                Start::Offset((page - 1) * limit)
            }
            (Some(cursor), None) => {
                let cursor = Cursor::decode(cursor)?;
                if cursor.sort != sort {
                    return Err(ApiError::bad_field(
                        "cursor",
                        "invalid",
                        "this cursor belongs to another sort order",
                    ));
                }
                Start::After(Some(cursor))
            }
            (None, None) => Start::After(None),
        };
        Ok(Paging {
            limit,
            start,
            with_total: self.with_total.unwrap_or(false) || self.page.is_some(),
        })
    }
}

/// A position in a sorted collection: the sort, the last item's sort value and id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "v")]
    pub value: serde_json::Value,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a cursor; anything that is not one of ours is a 400.
    pub fn decode(text: &str) -> ApiResult<Cursor> {
        let bad = || ApiError::bad_field("cursor", "invalid", "not a cursor returned by this API");
        if text.len() > 1024 {
            return Err(bad());
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }

    /// The 400 for a cursor that does not fit the collection.
    /// A cursor whose value does not fit its list (a 400, wherever it is found).
    pub fn invalid() -> ModelError {
        ModelError::BadCursor
    }

    /// The cursor's value as text (for text and instant sort keys).
    pub fn text(&self) -> ModelResult<&str> {
        self.value.as_str().ok_or(ModelError::BadCursor)
    }

    /// The cursor's value as an instant.
    pub fn instant(&self) -> ModelResult<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc3339(self.text()?)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| ModelError::BadCursor)
    }
}

/// A requested sort: field name and direction, from a whitelist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<F> {
    pub field: F,
    pub descending: bool,
}

impl<F> Sort<F> {
    /// The sort as the API writes it (`-published_at`), which cursors remember.
    pub fn key(&self, name: &str) -> String {
        if self.descending {
            format!("-{name}")
        } else {
            name.to_string()
        }
    }
}

/// Parses `sort` (`field` or `-field`) against a whitelist of (name, field).
pub fn parse_sort<F: Copy>(
    given: Option<&str>,
    allowed: &[(&str, F)],
    default: Sort<F>,
) -> ApiResult<Sort<F>> {
    let Some(given) = given else {
        return Ok(default);
    };
    let (name, descending) = match given.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (given, false),
    };
    allowed
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, field)| Sort {
            field: *field,
            descending,
        })
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
            ApiError::bad_field(
                "sort",
                "invalid",
                format!(
                    "must be one of {} (prefix `-` for descending)",
                    names.join(", ")
                ),
            )
        })
}

/// Paging facts about the page returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    /// The page size used.
    #[schema(example = 20)]
    pub limit: i64,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// Number of matching items, with `with_total=true` or `page`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub total: Option<i64>,
}

/// A page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T: ToSchema> {
    pub data: Vec<T>,
    pub meta: Meta,
}

impl<T: ToSchema> ListResponse<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says another page exists.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        paging: &Paging,
        total: Option<i64>,
        cursor_of: impl Fn(&R) -> Cursor,
        view: impl Fn(R) -> T,
    ) -> Self {
        let more = rows.len() as i64 > paging.limit;
        rows.truncate(paging.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        ListResponse {
            data: rows.into_iter().map(view).collect(),
            meta: Meta {
                limit: paging.limit,
                next_cursor,
                total,
            },
        }
    }
}

/// The schema of a `sort` parameter: each name of `allowed`, ascending or with `-`.
pub fn sort_schema<F>(
    allowed: &[(&str, F)],
    example: &str,
    description: &str,
) -> utoipa::openapi::Object {
    let values: Vec<String> = allowed
        .iter()
        .flat_map(|(name, _)| [name.to_string(), format!("-{name}")])
        .collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked() {
        let q = |limit| PageQuery {
            limit: Some(limit),
            ..Default::default()
        };
        assert!(q(0).check("x").is_err());
        assert!(q(101).check("x").is_err());
        assert_eq!(q(100).check("x").unwrap().limit, 100);
        assert_eq!(
            PageQuery::default().check("x").unwrap().limit,
            DEFAULT_LIMIT
        );
    }

    #[test]
    fn garbage_cursors_are_bad_requests() {
        for bad in ["nope", "!!!", "eyJ4IjoxfQ", &"A".repeat(2000)] {
            let q = PageQuery {
                cursor: Some(bad.to_string()),
                ..Default::default()
            };
            assert!(
                matches!(q.check("x"), Err(ApiError::BadRequest { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_remember_their_sort() {
        let c = Cursor {
            sort: "email".into(),
            value: "a@b.vn".into(),
            id: Uuid::now_v7(),
        };
        let q = PageQuery {
            cursor: Some(c.encode()),
            ..Default::default()
        };
        assert!(matches!(q.check("email").unwrap().start, Start::After(Some(ref d)) if *d == c));
        assert!(q.check("-created_at").is_err());
    }

    #[test]
    fn page_implies_total_and_excludes_cursor() {
        let q = PageQuery {
            page: Some(3),
            limit: Some(10),
            ..Default::default()
        };
        let p = q.check("x").unwrap();
        assert!(p.with_total && matches!(p.start, Start::Offset(20)));
        let q = PageQuery {
            page: Some(1),
            cursor: Some("x".into()),
            ..Default::default()
        };
        assert!(q.check("x").is_err());
    }

    #[test]
    fn sorts_are_whitelisted() {
        let allowed = [("email", 1), ("created_at", 2)];
        let default = Sort {
            field: 2,
            descending: true,
        };
        assert_eq!(
            parse_sort(Some("-email"), &allowed, default).unwrap(),
            Sort {
                field: 1,
                descending: true
            }
        );
        assert_eq!(parse_sort(None, &allowed, default).unwrap(), default);
        assert!(parse_sort(Some("password_hash"), &allowed, default).is_err());
    }
}
