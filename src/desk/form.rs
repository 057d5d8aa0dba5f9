//! A posted form (`application/x-www-form-urlencoded`), as the browser sent it: repeated
//! fields (a list of related articles, a gallery) keep their order.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;

use super::DeskError;

/// The largest form the desk accepts (an article's body is the largest field).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn parse(bytes: &[u8]) -> Form {
        Form {
            pairs: form_urlencoded::parse(bytes).into_owned().collect(),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or `""`.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// The first value of `name`, `None` when absent or blank.
    pub fn filled(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl FromRequest for Form {
    type Error = DeskError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        let is_form = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        Box::pin(async move {
            if !is_form {
                return Err(DeskError::BadForm(
                    "expected a form (application/x-www-form-urlencoded)".into(),
                ));
            }
            let bytes = bytes.await.map_err(|e| DeskError::BadForm(e.to_string()))?;
            if bytes.len() > FORM_LIMIT {
                return Err(DeskError::BadForm("the form is too large".into()));
            }
            Ok(Form::parse(&bytes))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_keep_their_order() {
        let f = Form::parse(b"a=1&b=x+y&a=2&c=&d=%C4%90%E1%BA%A3ng");
        assert_eq!(f.all("a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(f.get("b"), Some("x y"));
        assert_eq!(f.filled("c"), None);
        assert_eq!(f.text("d"), "Đảng");
    }
}
