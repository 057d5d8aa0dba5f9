//! Text rules shared by every resource: Unicode NFC on the way in, and parsed newtypes for
//! values with a fixed shape (emails).

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// Returns `s` in Unicode NFC (composed), the form every stored text is kept in.
pub fn nfc(s: &str) -> String {
    if is_nfc(s) {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

/// Normalises every string (and object key) in a JSON value to NFC, in place.
fn is_nfc(s: &str) -> bool {
    matches!(
        is_nfc_quick(s.chars()),
        unicode_normalization::IsNormalized::Yes
    )
}

pub fn nfc_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if !is_nfc(s) => *s = s.nfc().collect(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(nfc_json),
        serde_json::Value::Object(map) => {
            let needs_key_fix = map.keys().any(|k| !is_nfc(k));
            if needs_key_fix {
                let old = std::mem::take(map);
                for (k, v) in old {
                    map.insert(k.nfc().collect(), v);
                }
            }
            map.values_mut().for_each(nfc_json);
        }
        _ => {}
    }
}

/// The dotted path of the first string (or key) holding U+0000, which PostgreSQL text
/// cannot store.
pub fn find_nul(value: &serde_json::Value, path: &str) -> Option<String> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(path.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, &join(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "")))
            } else {
                find_nul(v, &join(k))
            }
        }),
        _ => None,
    }
}

/// Why a text is not an email address.
#[derive(Debug, PartialEq, Eq)]
pub struct NotAnEmail;

/// Characters of an email address (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;

/// Parses an email address: trimmed, NFC, one `@` with a non-empty local part and a domain
/// with a dot (or `localhost`), no spaces or control characters, at most [`EMAIL_MAX`]
/// characters.
pub fn parse_email(input: &str) -> Result<String, NotAnEmail> {
    let email = nfc(input.trim());
    if email.is_empty() || email.chars().count() > EMAIL_MAX {
        return Err(NotAnEmail);
    }
    let (local, domain) = email.rsplit_once('@').ok_or(NotAnEmail)?;
    let bad = |s: &str| {
        s.is_empty()
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
    };
    if bad(local) || bad(domain) || local.chars().count() > 64 {
        return Err(NotAnEmail);
    }
    let domain_ok = domain == "localhost"
        || (domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.starts_with('-'));
    if !domain_ok {
        return Err(NotAnEmail);
    }
    Ok(email)
}

/// The key an email is unique under: case-insensitive.
pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// The diacritic-insensitive key text is matched on (docs/vietnamese-text-and-documents.md): NFC, then NFD with
/// every combining mark dropped, `đ`/`Đ` mapped to `d` (they have no decomposition, so a
/// generic "strip accents" misses them), lowercased, whitespace runs collapsed to one space
/// and trimmed. Old and new tone placement (`hoà`/`hòa`, `Uỷ`/`Ủy`) give the same key, and so
/// do NFC and NFD input.
pub fn fold(s: &str) -> String {
    let stripped: String = nfc(s)
        .nfd()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c))
        .map(|c| if c == 'đ' || c == 'Đ' { 'd' } else { c })
        .collect();
    stripped
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Titles and honorifics a person's name must not start with (docs/vietnamese-text-and-documents.md: names are
/// written "họ, tên đệm, tên" with no academic titles or honorifics), lowercased.
const HONORIFICS: &[&str] = &[
    "ông",
    "bà",
    "anh",
    "chị",
    "đồng chí",
    "đ/c",
    "ts",
    "ths",
    "pgs",
    "gs",
    "bs",
    "ks",
    "cn",
    "ls",
    "ncs",
    "tskh",
    "pgs.ts",
    "gs.ts",
    "gs.tskh",
    "nhà giáo",
    "ngnd",
    "ngưt",
];

/// The honorific `name` starts with, if any (`TS. Nguyễn Văn A` → `TS.`): a listed word
/// followed by a space, a dot or nothing, in any case, NFC or NFD.
pub fn leading_honorific(name: &str) -> Option<String> {
    let name = nfc(name.trim());
    let lower = name.to_lowercase();
    HONORIFICS
        .iter()
        .filter(|h| {
            lower.starts_with(*h)
                && lower[h.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == '.' || c == ' ' || c == ',')
        })
        .max_by_key(|h| h.len())
        .map(|h| {
            let end = h.len() + usize::from(lower[h.len()..].starts_with('.'));
            name[..end].to_string()
        })
}

/// Text with whitespace runs collapsed to one space and trimmed (names).
pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The longest slug allowed, in characters (slugs are ASCII, so also in bytes).
pub const SLUG_MAX: usize = 100;

/// The URL slug of a title (docs/vietnamese-text-and-documents.md): lowercase ASCII words joined by single `-`, e.g.
/// `Đảng Đoàn HĐND tỉnh` → `dang-doan-hdnd-tinh`. `slug::slugify` on the NFC text: its
/// deunicode transliteration maps `Đ`/`đ` to `d` (not the `dj` of npm `slugify`), `ơ`/`ư` to
/// `o`/`u`, drops combining marks, and makes every run of other characters one `-`, so no
/// pre-`fold` is needed (checked in the tests, NFD input included). Longer than `SLUG_MAX`
/// is cut at the last `-` that fits. Empty when the input has no letters or digits; the
/// caller picks the fallback.
pub fn slugify(s: &str) -> String {
    let slug = slug::slugify(nfc(s));
    if slug.len() <= SLUG_MAX {
        return slug;
    }
    // `slug` is ASCII, so byte indices are char boundaries.
    match slug[..=SLUG_MAX].rfind('-') {
        Some(cut) => slug[..cut].to_string(),
        None => slug[..SLUG_MAX].to_string(),
    }
}

/// Whether `s` has the shape of a slug (`^[a-z0-9]+(-[a-z0-9]+)*$`, at most `SLUG_MAX`
/// characters): what a slug given explicitly by a client must look like.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= SLUG_MAX
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The sanitiser for article bodies: ammonia's defaults (no `<script>`/`<style>` and their
/// contents, no event-handler or `class` attributes, only safe URL schemes, links get
/// `rel="noopener noreferrer"`) plus `data-photo` on `figure`, which the bodies use to place
/// photos. Built once; the builder is immutable afterwards.
static BODY_SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["figure", "figcaption"])
            .add_tag_attributes("figure", ["data-photo"]);
        b
    });

/// Sanitises an article body (untrusted HTML) into HTML that is safe to serve as is; see
/// `BODY_SANITIZER` for what is kept.
pub fn sanitize_html(html: &str) -> String {
    BODY_SANITIZER.clean(html).to_string()
}

/// Keeps only block-level elements, with no attributes, so that `html_text` can put a space
/// at every block boundary and nowhere else (`Hộ<b>i</b>` stays one word).
static BLOCK_ONLY: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags([
            "address",
            "article",
            "aside",
            "blockquote",
            "br",
            "caption",
            "dd",
            "div",
            "dl",
            "dt",
            "figcaption",
            "figure",
            "footer",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "hr",
            "img",
            "li",
            "nav",
            "ol",
            "p",
            "pre",
            "section",
            "table",
            "td",
            "th",
            "tr",
            "ul",
        ])
        .tag_attributes(Default::default())
        .generic_attributes(Default::default())
        .link_rel(None);
        b
    });

/// Removes every tag (script and style contents included, the default of
/// `clean_content_tags`).
static NO_TAGS: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(ammonia::Builder::empty);

/// The plain text of an HTML body, for the search key: tags removed with a space at block
/// boundaries (`<p>a</p><p>b</p>` → `a b`), `<script>`/`<style>` contents dropped, entities
/// decoded, whitespace collapsed and trimmed. Two ammonia passes, no hand-written parsing:
/// the first keeps only attribute-less block tags, so in its output every `<` starts a
/// tag (text `<` is escaped) and can get a space before it; the second drops all tags.
pub fn html_text(html: &str) -> String {
    let blocks = BLOCK_ONLY.clean(html).to_string().replace('<', " <");
    let text = NO_TAGS.clean(&blocks).to_string();
    html_escape::decode_html_entities(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd: String = "Hội nghị".nfd().collect();
        assert_ne!(nfd, "Hội nghị");
        assert_eq!(nfc(&nfd), "Hội nghị");
    }

    #[test]
    fn json_strings_and_keys_are_normalised() {
        let nfd: String = "Lò Văn Cương".nfd().collect();
        let mut v = serde_json::json!({ nfd.clone(): [nfd.clone(), 1, {"x": nfd}] });
        nfc_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"Lò Văn Cương": ["Lò Văn Cương", 1, {"x": "Lò Văn Cương"}]})
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            parse_email("  Editor@LaiChau.gov.vn ").unwrap(),
            "Editor@LaiChau.gov.vn"
        );
        assert!(parse_email("admin@localhost").is_ok());
        for bad in [
            "", "x", "@a.vn", "a@", "a b@c.vn", "a@b", "a@.vn", "a@b..vn", "a@@b.vn",
        ] {
            assert_eq!(parse_email(bad), Err(NotAnEmail), "{bad}");
        }
        assert_eq!(email_key("Editor@LaiChau.gov.vn"), "editor@laichau.gov.vn");
    }

    // --- fold (docs/vietnamese-text-and-documents.md) ---

    /// `fold(query)` occurs in `fold(text)`: how a search key matches.
    fn finds(query: &str, text: &str) -> bool {
        fold(text).contains(&fold(query))
    }

    #[test]
    fn fold_maps_d_stroke_to_d() {
        assert_eq!(fold("Đảng Đoàn HĐND tỉnh"), "dang doan hdnd tinh");
        assert_eq!(fold("đ Đ"), "d d");
    }

    #[test]
    fn fold_unifies_old_and_new_tone_placement() {
        assert_eq!(fold("Uỷ ban"), "uy ban");
        assert_eq!(fold("Ủy ban"), "uy ban");
        assert_eq!(fold("hoà"), "hoa");
        assert_eq!(fold("hòa"), "hoa");
        assert_eq!(fold("thuỷ"), "thuy");
        assert_eq!(fold("thủy"), "thuy");
    }

    #[test]
    fn fold_accepts_nfd_input() {
        assert_eq!(fold("Ho\u{0323}\u{0302}i nghi\u{0323}"), "hoi nghi");
        let nfd: String = "Lò Văn Cương".nfd().collect();
        assert_eq!(fold(&nfd), "lo van cuong");
    }

    #[test]
    fn fold_ignores_combining_mark_order() {
        assert_eq!(nfc("o\u{0302}\u{0323}"), "ộ");
        assert_eq!(nfc("o\u{0323}\u{0302}"), "ộ");
        assert_eq!(fold("o\u{0302}\u{0323}"), fold("o\u{0323}\u{0302}"));
        assert_eq!(fold("o\u{0302}\u{0323}"), "o");
    }

    #[test]
    fn fold_lowercases_and_collapses_whitespace() {
        assert_eq!(fold("HỘI  NGHỊ"), "hoi nghi");
        assert_eq!(fold(" \tHội\n nghị  "), "hoi nghi");
    }

    #[test]
    fn fold_strips_horn_and_breve() {
        assert_eq!(fold("Lò Văn Cương"), "lo van cuong");
        assert_eq!(fold("ơ Ơ ư Ư ă Ă â ê ô"), "o o u u a a a e o");
    }

    #[test]
    fn fold_search_table_of_domain_5_3() {
        assert!(finds("hoi nghi", "Hội nghị"));
        assert!(finds("dang doan", "Đảng Đoàn"));
        assert!(finds("dang doan", "Đảng đoàn"));
        assert!(finds("lo van cuong", "Lò Văn Cương"));
        assert!(finds("uy ban", "Ủy ban"));
        assert!(finds("uy ban", "Uỷ ban"));
        for q in ["ddhdnd", "31b-qcph", "QCPH/BDV"] {
            assert!(finds(q, "31B-QCPH/BDV-ĐĐHĐND"), "{q}");
        }
        assert!(finds("hội nghị", "Hoi nghi"));
    }

    // --- slugs (docs/vietnamese-text-and-documents.md) ---

    #[test]
    fn slugify_vietnamese_titles() {
        assert_eq!(slugify("Đảng Đoàn HĐND tỉnh"), "dang-doan-hdnd-tinh");
        assert_eq!(
            slugify("Quy chế phối hợp số 31B-QCPH/BDV-ĐĐHĐND"),
            "quy-che-phoi-hop-so-31b-qcph-bdv-ddhdnd"
        );
        assert_eq!(
            slugify("Chương trình phối hợp giai đoạn 2021 - 2026"),
            "chuong-trinh-phoi-hop-giai-doan-2021-2026"
        );
        assert_eq!(
            slugify("Hội nghị tổng kết Quy chế phối hợp – Đảng Đoàn HĐND"),
            "hoi-nghi-tong-ket-quy-che-phoi-hop-dang-doan-hdnd"
        );
    }

    #[test]
    fn slugify_maps_d_stroke_to_d_not_dj() {
        // npm `slugify` gives `djang-djoan` by default (docs/vietnamese-text-and-documents.md).
        let s = slugify("Đảng Đoàn đại biểu");
        assert_ne!(s, "djang-djoan-djai-bieu");
        assert!(!s.contains("dj"), "{s}");
        assert_eq!(s, "dang-doan-dai-bieu");
    }

    #[test]
    fn slugify_nfd_equals_nfc() {
        for title in [
            "Hội nghị tổng kết",
            "Lò Văn Cương",
            "Uỷ ban nhân dân tỉnh",
            "Đảng Đoàn HĐND",
        ] {
            let nfd: String = title.nfd().collect();
            assert_ne!(nfd, title);
            assert_eq!(slugify(&nfd), slugify(title), "{title}");
        }
        assert_eq!(slugify("Ho\u{0323}\u{0302}i nghi\u{0323}"), "hoi-nghi");
    }

    #[test]
    fn slugify_unifies_tone_placement() {
        assert_eq!(slugify("Uỷ ban"), slugify("Ủy ban"));
        assert_eq!(slugify("thuỷ điện"), "thuy-dien");
    }

    #[test]
    fn slugify_without_letters_or_digits_is_empty() {
        assert_eq!(slugify(""), "");
        assert_eq!(slugify(" – / ! "), "");
    }

    #[test]
    fn slugify_truncates_at_a_dash_boundary() {
        // 20 words of "abcd" → 20*5-1 = 99 chars; one more word makes it too long.
        let title = vec!["abcd"; 21].join(" ");
        let s = slugify(&title);
        assert_eq!(s, vec!["abcd"; 20].join("-"));
        assert!(s.len() <= SLUG_MAX && !s.ends_with('-'));
        assert!(is_slug(&s));

        // The cut falls in the middle of a word: that word is dropped whole.
        let title = format!("{} abcdefghij", "x".repeat(95));
        assert_eq!(slugify(&title), "x".repeat(95));

        // Exactly SLUG_MAX is kept; a dash right after the limit cuts cleanly.
        let exact = format!("{} {}", "a".repeat(49), "b".repeat(50));
        assert_eq!(slugify(&exact).len(), SLUG_MAX);
        let title = format!("{} {} c", "a".repeat(49), "b".repeat(50));
        assert_eq!(slugify(&title), slugify(&exact));
    }

    #[test]
    fn slugify_single_overlong_word_is_cut_hard() {
        let s = slugify(&"a".repeat(150));
        assert_eq!(s, "a".repeat(SLUG_MAX));
    }

    #[test]
    fn is_slug_accepts_well_formed() {
        for ok in ["a", "0", "dang-doan-hdnd-tinh", "31b-qcph", "2021-2026"] {
            assert!(is_slug(ok), "{ok}");
        }
        assert!(is_slug(&"a".repeat(SLUG_MAX)));
    }

    #[test]
    fn is_slug_rejects_malformed() {
        let too_long = "a".repeat(SLUG_MAX + 1);
        for bad in [
            "",
            "Dang-doan",
            "dang--doan",
            "-dang",
            "dang-",
            "-",
            "đảng-đoàn",
            "dang doan",
            "dang_doan",
            "dang/doan",
            too_long.as_str(),
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    // --- sanitize_html ---

    #[test]
    fn sanitize_removes_script_and_its_content() {
        let out = sanitize_html("<p>Tin</p><script>alert('x')</script><style>p{}</style>");
        assert_eq!(out, "<p>Tin</p>");
    }

    #[test]
    fn sanitize_removes_event_handlers() {
        let out = sanitize_html(r#"<p onclick="alert(1)">Tin</p>"#);
        assert_eq!(out, "<p>Tin</p>");
    }

    #[test]
    fn sanitize_removes_javascript_and_data_urls() {
        let out = sanitize_html(r#"<a href="javascript:alert(1)">x</a>"#);
        assert!(!out.contains("javascript"), "{out}");
        assert!(!out.contains("href"), "{out}");
        let out = sanitize_html(r#"<img src="data:image/png;base64,AAAA">"#);
        assert!(!out.contains("data:"), "{out}");
    }

    #[test]
    fn sanitize_img_loses_onerror() {
        let out = sanitize_html("<img src=x onerror=alert(1)>");
        assert_eq!(out, r#"<img src="x">"#);
    }

    #[test]
    fn sanitize_links_get_noopener() {
        let out = sanitize_html(r#"<a href="https://laichau.gov.vn/">Lai Châu</a>"#);
        assert_eq!(
            out,
            r#"<a href="https://laichau.gov.vn/" rel="noopener noreferrer">Lai Châu</a>"#
        );
    }

    #[test]
    fn sanitize_keeps_figure_with_data_photo_and_figcaption() {
        let html = r#"<figure data-photo="quang-canh"><figcaption>Quang cảnh hội nghị</figcaption></figure>"#;
        assert_eq!(sanitize_html(html), html);
    }

    #[test]
    fn sanitize_removes_class_and_other_data_attributes() {
        let out = sanitize_html(
            r#"<figure class="x" data-other="y" data-photo="p"><p class="lead">Tin</p></figure>"#,
        );
        assert_eq!(out, r#"<figure data-photo="p"><p>Tin</p></figure>"#);
    }

    #[test]
    fn sanitize_leaves_vietnamese_text_unchanged() {
        let html = "<p>Hội nghị tổng kết Quy chế phối hợp – Đảng Đoàn HĐND tỉnh Lai Châu</p>";
        assert_eq!(sanitize_html(html), html);
    }

    // --- html_text ---

    #[test]
    fn html_text_separates_blocks() {
        assert_eq!(html_text("<p>a</p><p>b</p>"), "a b");
        assert_eq!(
            html_text("<ul><li>một</li><li>hai</li></ul>x<br>y"),
            "một hai x y"
        );
        assert_eq!(
            html_text(
                r#"<figure data-photo="p"><img src="x"><figcaption>Ảnh</figcaption></figure><p>Tin</p>"#
            ),
            "Ảnh Tin"
        );
    }

    #[test]
    fn html_text_does_not_split_words_at_inline_tags() {
        assert_eq!(html_text("<p>Hộ<b>i</b> ngh<em>ị</em></p>"), "Hội nghị");
    }

    #[test]
    fn html_text_decodes_entities() {
        assert_eq!(
            html_text("<p>A &amp; B&nbsp;C &#272;&#x1EA3;ng &lt;x&gt; &quot;q&quot;</p>"),
            "A & B C Đảng <x> \"q\""
        );
    }

    #[test]
    fn html_text_drops_script_and_style_content() {
        assert_eq!(
            html_text(
                "<p>Tin</p><script>var x = '<p>no</p>';</script><style>p { color: red }</style><p>bài</p>"
            ),
            "Tin bài"
        );
    }

    #[test]
    fn html_text_collapses_whitespace() {
        assert_eq!(html_text("  <p>\n a \t b </p>\n "), "a b");
        assert_eq!(html_text("plain text"), "plain text");
    }

    #[test]
    fn names_with_honorifics_are_recognised() {
        for (name, found) in [
            ("Ông Lò Văn Cương", "Ông"),
            ("bà Nguyễn Thị Hoa", "bà"),
            ("TS. Chu Lê Chinh", "TS."),
            ("ThS.Nguyễn Văn A", "ThS."),
            ("PGS.TS. Trần Văn B", "PGS.TS."),
            ("Đồng chí Lò Văn Cương", "Đồng chí"),
            ("đ/c Sùng A Hồ", "đ/c"),
        ] {
            assert_eq!(leading_honorific(name).as_deref(), Some(found), "{name}");
        }
        let nfd: String = "Ông Lò Văn Cương".nfd().collect();
        assert_eq!(leading_honorific(&nfd).as_deref(), Some("Ông"));
        for name in [
            "Lò Văn Cương",
            "Chu Lê Chinh",
            "Bàn Văn Thắng",
            "Anh Thư",
            "Tống Thanh Bình",
        ] {
            let expected = if name == "Anh Thư" {
                Some("Anh")
            } else {
                None
            };
            assert_eq!(leading_honorific(name).as_deref(), expected, "{name}");
        }
    }
}
