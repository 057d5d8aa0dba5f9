//! Unit tests of the HTTP plumbing.

use super::*;
use crate::error::ApiError;

#[test]
fn counted_tags_keep_the_content_apart_from_the_counter() {
    let a = counted(
        &serde_json::json!({"title": "Tin", "view_count": 7, "version": 1}),
        "view_count",
    )
    .unwrap();
    let b = counted(
        &serde_json::json!({"title": "Tin", "view_count": 12, "version": 1}),
        "view_count",
    )
    .unwrap();
    let c = counted(
        &serde_json::json!({"title": "Tin\"view_count\":", "view_count": 7, "version": 1}),
        "view_count",
    )
    .unwrap();
    assert_ne!(a.etag(), b.etag());
    assert_eq!(a.etag().split('.').next(), b.etag().split('.').next());
    assert!(a.etag().ends_with(".7\""));
    assert_ne!(a.etag().split('.').next(), c.etag().split('.').next());
    let current = serde_json::json!({"title": "Tin", "view_count": 99, "version": 1});
    let if_match = IfMatch(Some(vec![a.etag().to_string()]));
    assert!(if_match.check_counted(&current, "view_count").is_ok());
    let changed = serde_json::json!({"title": "Tin mới", "view_count": 7, "version": 2});
    assert!(if_match.check_counted(&changed, "view_count").is_err());
    let forged = IfMatch(Some(vec!["\"abc.7\"".into()]));
    assert!(forged.check_counted(&current, "view_count").is_err());
}
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Body {
    title: String,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Item {
    id: u32,
}

fn field_of(e: ApiError) -> (String, String) {
    match e {
        ApiError::BadRequest { errors, .. } => (errors[0].field.clone(), errors[0].code.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_errors_name_the_field() {
    let e =
        parse_json::<Body>(br#"{"title": "x", "items": [{"id": 1}, {"id": "2"}]}"#).unwrap_err();
    assert_eq!(field_of(e), ("items.1.id".into(), "invalid_type".into()));
    let e = parse_json::<Body>(br#"{"title": "x", "items": [], "extra": 1}"#).unwrap_err();
    assert_eq!(field_of(e), ("extra".into(), "unknown_field".into()));
    let e = parse_json::<Body>(br#"{"items": []}"#).unwrap_err();
    assert_eq!(field_of(e), ("title".into(), "required".into()));
    assert!(matches!(
        parse_json::<Body>(b"{nope"),
        Err(ApiError::BadRequest { .. })
    ));
    assert!(matches!(
        parse_json::<Body>(b"  "),
        Err(ApiError::BadRequest { .. })
    ));
}

#[derive(Debug, Deserialize)]
struct Q {
    limit: Option<u32>,
    q: Option<String>,
}

#[test]
fn query_is_normalised_and_errors_name_the_parameter() {
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = "Hội nghị".nfd().collect();
    let qs = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &nfd)
        .finish();
    let q: Q = parse_query(&qs).unwrap();
    assert_eq!(q.q.as_deref(), Some("Hội nghị"));
    assert_eq!(q.limit, None);
    let e = parse_query::<Q>("limit=abc").unwrap_err();
    assert_eq!(field_of(e).0, "limit");
}

#[test]
fn if_match_compares_strong_tags() {
    let value = serde_json::json!({"a": 1});
    let tag = etag_of(&serde_json::to_vec(&value).unwrap());
    assert!(IfMatch(None).check(&value).is_ok());
    assert!(IfMatch(Some(vec![tag])).check(&value).is_ok());
    assert!(IfMatch(Some(vec!["*".into()])).check(&value).is_ok());
    assert!(matches!(
        IfMatch(Some(vec!["\"x\"".into()])).check(&value),
        Err(crate::error::ModelError::Stale)
    ));
}
