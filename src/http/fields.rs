//! Deserialisers for request fields with JSON merge semantics (absent, `null`, a value) and
//! whole numbers, and small shapes the views share.

/// Deserialises a present field as `Some(value)`, refusing `null` (the field cannot be
/// cleared). Use with `#[serde(default, deserialize_with = "non_null")]`.
pub fn non_null<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A JSON number that must be a whole 32-bit integer: JSON Schema counts `3.0` as an integer,
/// so it is accepted like `3`.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum WholeNumber {
    Int(i64),
    Float(f64),
}

fn whole_i32<E: serde::de::Error>(n: WholeNumber) -> Result<i32, E> {
    let int = match n {
        WholeNumber::Int(i) => Some(i),
        WholeNumber::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
        WholeNumber::Float(_) => None,
    };
    int.and_then(|i| i32::try_from(i).ok())
        .ok_or_else(|| E::custom("expected a whole number between -2147483648 and 2147483647"))
}

/// A present 32-bit integer field (`null` refused); use with `#[serde(default, …)]`.
pub fn int32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let n = <WholeNumber as serde::Deserialize>::deserialize(d)?;
    whole_i32(n).map(Some)
}

/// An optional 32-bit integer field (`null` means absent); use with `#[serde(default, …)]`.
pub fn int32_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match <Option<WholeNumber> as serde::Deserialize>::deserialize(d)? {
        Some(n) => whole_i32(n).map(Some),
        None => Ok(None),
    }
}

/// A 32-bit integer field that may be cleared: absent → `None`, `null` → `Some(None)`; whole
/// numbers written as floats (`2021.0`) are accepted. Use with `#[serde(default, …)]`.
pub fn nullable_int32<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<i32>>, D::Error> {
    int32_or_null(d).map(Some)
}

/// Deserialises a field that may be cleared: absent → `None`, `null` → `Some(None)`, a value
/// → `Some(Some(value))`. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// An empty JSON array, for lists built by the database that came back `NULL`.
pub fn empty_list() -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::from_string("[]".into())
        .unwrap_or_else(|_| unreachable!("[] is JSON"))
}
