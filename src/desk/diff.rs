//! Readable differences between two versions of a text (revisions, conflicts): word by word,
//! removed words struck through (`<del>`), added ones underlined (`<ins>`). The words come
//! from `similar`'s diff; bodies are compared as their text, block by block.

use maud::{Markup, html};
use similar::{ChangeTag, TextDiff};

/// `old` → `new`, word by word.
pub fn words(old: &str, new: &str) -> Markup {
    let diff = TextDiff::from_words(old, new);
    html! {
        span.words {
            @for change in diff.iter_all_changes() {
                @match change.tag() {
                    ChangeTag::Equal => (change.value()),
                    ChangeTag::Delete => del { (change.value()) },
                    ChangeTag::Insert => ins { (change.value()) },
                }
            }
        }
    }
}

/// The text of a sanitised body: a line per block (paragraph, heading, list item, caption),
/// tags dropped, entities decoded.
pub fn text_of_html(html_text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html_text.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag
                    .trim_start_matches('/')
                    .split(|c: char| c.is_whitespace() || c == '/')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if tag.starts_with('/')
                    && matches!(
                        name.as_str(),
                        "p" | "h1" | "h2" | "h3" | "h4" | "li" | "figcaption" | "blockquote"
                    )
                    || name == "br"
                {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    html_escape::decode_html_entities(out.trim()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_show_what_went_and_what_came() {
        let m = words("Hội nghị tổng kết", "Hội nghị sơ kết").into_string();
        assert!(m.contains("<del>tổng</del>"), "{m}");
        assert!(m.contains("<ins>sơ</ins>"), "{m}");
        let escaped = words("a", "<b>").into_string();
        assert!(escaped.contains("&lt;b&gt;"), "{escaped}");
    }

    #[test]
    fn bodies_are_compared_as_text_by_block() {
        let t = text_of_html(
            r#"<p>Chiều 30/8 &amp; sáng 31/8</p><figure data-photo="x"><img src="a"><figcaption>Quang cảnh</figcaption></figure><ul><li>Một</li><li>Hai</li></ul>"#,
        );
        assert_eq!(t, "Chiều 30/8 & sáng 31/8\nQuang cảnh\nMột\nHai");
    }
}
