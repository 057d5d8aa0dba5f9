//! The frame of every desk page (header, menu, language switch, sign-out) and the small
//! pieces pages share: dates in the site's time zone, statuses, field errors, notices.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use super::assets;
use super::i18n::{Lang, T};
use super::session::Desk;

/// The sections of the menu.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Articles,
    Photos,
    Agreements,
    Signatories,
    Organizations,
    Users,
    ApiTokens,
    Site,
    Account,
    Trash,
}

/// `<meta name="htmx-config">`: no `eval`, no inline styles (its indicator styles, and no
/// `style` among the attributes it settles), no script tags from answers, so htmx runs under
/// the desk's Content-Security-Policy.
const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"attributesToSettle":["class","width","height"]}"#;

fn head(lang: Lang, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=(HTMX_CONFIG);
            meta name="robots" content="noindex, nofollow";
            link rel="icon" href="data:,";
            title { (title) " · " (lang.t(T::Desk)) " · Bantin" }
            link rel="stylesheet" href=(assets::url("desk.css"));
            script src=(assets::url("htmx.min.js")) defer {}
            script src=(assets::url("desk.js")) defer {}
        }
    }
}

/// A whole page for a signed-in user.
pub fn page(desk: &Desk, section: Section, title: &str, body: Markup) -> HttpResponse {
    page_with_status(desk, StatusCode::OK, section, title, body)
}

pub fn page_with_status(
    desk: &Desk,
    status: StatusCode,
    section: Section,
    title: &str,
    body: Markup,
) -> HttpResponse {
    let lang = desk.lang;
    let item = |s: Section, href: &str, key: T| {
        html! {
            li { a href=(href) aria-current=[(s == section).then_some("page")] { (lang.t(key)) } }
        }
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body data-csrf=(desk.csrf) data-lang=(lang.code()) {
                a.skip href="#main" { (lang.t(T::SkipToContent)) }
                header.top {
                    a.brand href="/admin/articles" { "Bantin" span { (lang.t(T::Desk)) } }
                    nav aria-label=(lang.t(T::MainMenu)) {
                        ul {
                            (item(Section::Articles, "/admin/articles", T::Articles))
                            (item(Section::Photos, "/admin/photos", T::Photos))
                            (item(Section::Agreements, "/admin/agreements", T::Agreements))
                            (item(Section::Signatories, "/admin/signatories", T::Signatories))
                            (item(Section::Organizations, "/admin/organizations", T::Organizations))
                            @if desk.is_editor() {
                                (item(Section::Trash, "/admin/trash", T::Trash))
                            }
                            @if desk.is_admin() {
                                (item(Section::Users, "/admin/users", T::Users))
                                (item(Section::ApiTokens, "/admin/tokens", T::ApiTokens))
                                (item(Section::Site, "/admin/site", T::SiteSettings))
                            }
                        }
                    }
                    div.who {
                        a href="/admin/account" aria-current=[(section == Section::Account).then_some("page")] {
                            (desk.caller.display_name)
                            " (" (role_label(lang, desk.caller.role())) ")"
                        }
                        a lang=(lang.other().code()) href=(format!("/admin/lang/{}?next={}", lang.other().code(), urlencode(&desk.here))) {
                            (lang.t(T::SwitchLanguage))
                        }
                        form method="post" action="/admin/logout" {
                            input type="hidden" name="csrf" value=(desk.csrf);
                            button.link type="submit" { (lang.t(T::SignOut)) }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    };
    html_response(status, markup)
}

/// A page without the menu (sign-in, errors before a session).
pub fn bare(lang: Lang, status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body.bare {
                main #main { (body) }
            }
        }
    };
    html_response(status, markup)
}

pub fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .body(markup.into_string())
}

/// A fragment for htmx to swap in.
pub fn fragment(markup: Markup) -> HttpResponse {
    html_response(StatusCode::OK, markup)
}

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn role_label(lang: Lang, role: crate::auth::Role) -> &'static str {
    lang.t(match role {
        crate::auth::Role::Author => T::RoleAuthor,
        crate::auth::Role::Editor => T::RoleEditor,
        crate::auth::Role::Admin => T::RoleAdmin,
    })
}

/// A status as words (and a badge whose look repeats them; never colour alone).
pub fn status_badge(lang: Lang, status: &str, trashed: bool) -> Markup {
    let key = match (trashed, status) {
        (true, _) => T::StatusTrashed,
        (_, "published") => T::StatusPublished,
        (_, "scheduled") => T::StatusScheduled,
        (_, "archived") => T::StatusArchived,
        _ => T::StatusDraft,
    };
    let class = if trashed { "trashed" } else { status };
    html! { span class=(format!("badge {class}")) { (lang.t(key)) } }
}

/// An RFC 3339 instant of the API as `dd/mm/yyyy HH:MM` in the site's time zone.
pub fn when(tz: Tz, value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

/// A date (`YYYY-MM-DD`) as `dd/mm/yyyy`.
pub fn day(value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// The format dates are shown and typed in: `dd/mm/yyyy HH:MM`, in the site's time zone.
pub const DATE_TIME_FORMAT: &str = "%d/%m/%Y %H:%M";
/// How the format is shown to people, as a placeholder.
pub const DATE_TIME_HINT: &str = "dd/mm/yyyy hh:mm";
pub const DATE_HINT: &str = "dd/mm/yyyy";

/// An instant as a date field's value (`dd/mm/yyyy HH:MM` in the site's time zone).
pub fn local_input(tz: Tz, value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&tz).format(DATE_TIME_FORMAT).to_string())
        .unwrap_or_default()
}

/// A date field's value, read in the site's time zone, as an RFC 3339 instant; `None` when
/// it is not a date. `dd/mm/yyyy HH:MM` as shown, a date alone (at `default_time`), or the
/// ISO forms browsers send (`2021-08-31T09:52`).
pub fn from_local_input(tz: Tz, input: &str, default_time: &str) -> Option<String> {
    let input = input.trim();
    let naive = [
        DATE_TIME_FORMAT,
        "%d/%m/%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(input, f).ok())
    .or_else(|| {
        ["%d/%m/%Y", "%Y-%m-%d"].iter().find_map(|f| {
            NaiveDateTime::parse_from_str(&format!("{input} {default_time}"), &format!("{f} %H:%M"))
                .ok()
        })
    })?;
    let local = tz.from_local_datetime(&naive).earliest()?;
    Some(local.with_timezone(&Utc).to_rfc3339())
}

/// The faults a problem names, by field, in the interface language where the reason is a
/// known one.
#[derive(Default)]
pub struct Faults {
    pub by_field: Vec<(String, String)>,
    pub general: Option<String>,
}

impl Faults {
    pub fn of(lang: Lang, problem: &Value) -> Faults {
        let mut faults = Faults::default();
        for e in problem["errors"].as_array().into_iter().flatten() {
            let field = e["field"].as_str().unwrap_or_default().to_string();
            let message = e["message"].as_str().unwrap_or_default();
            let text = match (lang, e["code"].as_str()) {
                (Lang::Vi, Some("required")) => "Bắt buộc.".to_string(),
                (Lang::Vi, Some("too_long")) => format!("Quá dài ({message})."),
                (Lang::Vi, Some("too_short")) => format!("Quá ngắn ({message})."),
                (Lang::Vi, Some("taken")) => "Đã có, hãy chọn giá trị khác.".to_string(),
                (Lang::Vi, Some(_)) => format!("Không hợp lệ: {message}."),
                _ => message.to_string(),
            };
            faults.by_field.push((field, text));
        }
        if faults.by_field.is_empty() {
            faults.general = problem["detail"].as_str().map(String::from);
        }
        faults
    }

    pub fn message(&self, lang: Lang, problem_status: u16, detail: &str) -> String {
        match (lang, problem_status) {
            (Lang::Vi, 409) => format!("Xung đột: {detail}"),
            (Lang::Vi, 403) => format!("{} ({detail})", lang.t(T::NotAllowed)),
            _ => detail.to_string(),
        }
    }

    /// The fault of `field` (or of a field under it, `photos.0.caption`).
    pub fn of_field(&self, field: &str) -> Option<&str> {
        self.by_field
            .iter()
            .find(|(f, _)| f == field || f.starts_with(&format!("{field}.")))
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_none()
    }
}

/// A field's error line, tied to its input by `aria-describedby` (`<id>-error`).
pub fn field_error(id: &str, faults: &Faults, field: &str) -> Markup {
    html! {
        @if let Some(message) = faults.of_field(field) {
            p.error id=(format!("{id}-error")) { "⚠ " (message) }
        }
    }
}

pub fn described_by(id: &str, faults: &Faults, field: &str) -> Option<String> {
    faults.of_field(field).map(|_| format!("{id}-error"))
}

/// A notice at the top of a page: `role="status"` for news, `role="alert"` for errors.
pub fn notice(kind: Notice, text: &str) -> Markup {
    match kind {
        Notice::Done => html! { p.notice.done role="status" { "✓ " (text) } },
        Notice::Error => html! { p.notice.fail role="alert" { "⚠ " (text) } },
    }
}

#[derive(Clone, Copy)]
pub enum Notice {
    Done,
    Error,
}

/// A string of an API answer, or `""`.
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// `?done=…`: what a redirect after a successful form says.
#[derive(serde::Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// A labelled one-line input with its error line.
pub fn text_input(
    faults: &Faults,
    id: &str,
    label: &str,
    kind: &str,
    value: &str,
    placeholder: Option<&str>,
) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) type=(kind) name=(id) value=(value) placeholder=[placeholder] autocomplete="off"
                aria-invalid=[faults.of_field(id).map(|_| "true")]
                aria-describedby=[described_by(id, faults, id)];
            (field_error(id, faults, id))
        }
    }
}

/// The CSRF field of a form.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// Text that is already sanitised HTML (an article body from the API).
pub fn trusted_html(html: &str) -> PreEscaped<&str> {
    PreEscaped(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_and_read_in_the_site_time_zone() {
        let tz: Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
        let t = Value::from("2021-08-31T02:52:45Z");
        assert_eq!(when(tz, &t), "31/08/2021 09:52");
        assert_eq!(local_input(tz, &t), "31/08/2021 09:52");
        for typed in [
            "31/08/2021 09:52",
            "2021-08-31T09:52",
            " 31/08/2021 09:52:00 ",
        ] {
            assert_eq!(
                from_local_input(tz, typed, "00:00").as_deref(),
                Some("2021-08-31T02:52:00+00:00"),
                "{typed}"
            );
        }
        assert_eq!(
            from_local_input(tz, "30/08/2021", "12:00").as_deref(),
            Some("2021-08-30T05:00:00+00:00")
        );
        assert_eq!(from_local_input(tz, "31/13/2021", "00:00"), None);
        assert_eq!(from_local_input(tz, "hôm qua", "00:00"), None);
        assert_eq!(day(&Value::from("2021-08-30")), "30/08/2021");
    }
}
