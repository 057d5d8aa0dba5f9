//! The demo's attachments: a generated placeholder PDF for the 2013 regulation, so a portal
//! built on the demo can offer "download the PDF". Stored and recorded as
//! `POST /agreements/{id}/attachments` would (`crate::agreements::attachments`).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::agreements::attachments::{clean_file_name, content_disposition, remove_files};
use crate::agreements::model::attachments::{self as model, NewAttachment};
use crate::agreements::record::record_write;
use crate::db::schema::agreement_attachments;
use crate::error::ApiError;
use crate::events::{Actor, Verb};

use super::fixture::DemoAgreement;
use super::photos::Media;
use super::{Tally, invalid};

/// What attachments are (the API accepts nothing else).
const PDF: &str = "application/pdf";

/// The demo agreement given a placeholder PDF, found by its number as printed.
const DOCUMENT_NUMBER: &str = "31B-QCPH/BDV-ĐĐHĐND";

/// The name it is downloaded under: the number, ASCII, with no `/` (a file name cannot hold
/// one).
const FILE_NAME: &str = "31B-QCPH-BDV-DDHDND.pdf";

/// Its text, heading first. ASCII only: the standard Helvetica of a PDF reader cannot show
/// Vietnamese, and embedding a font would make the demo large for a placeholder. The last line
/// says it is not the real document.
const LINES: &[&str] = &[
    "QUY CHE PHOI HOP so 31B-QCPH/BDV-DDHDND",
    "Ban Dan van Tinh uy - Dang Doan HDND tinh Lai Chau",
    "Ngay 16/5/2013",
    "Ban minh hoa cua du lieu mau Bantin (demo copy, not the original document)",
];

/// The demo's attachment, added to its agreement (`agreements`: the ids by key) unless that
/// agreement already has a file with the same hash.
pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    demo: &[DemoAgreement],
    agreements: &HashMap<String, Uuid>,
    media: &Media<'_>,
    url: &str,
) -> Result<Tally, ApiError> {
    let mut tally = Tally::default();
    let key = demo
        .iter()
        .find(|a| a.document_number.as_deref() == Some(DOCUMENT_NUMBER))
        .map(|a| &a.key)
        .ok_or_else(|| invalid(format!("no agreement numbered `{DOCUMENT_NUMBER}`")))?;
    let agreement = *agreements
        .get(key)
        .ok_or_else(|| invalid(format!("agreement `{key}` was not loaded")))?;
    let bytes = placeholder_pdf(LINES);
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let found = agreement_attachments::table
        .filter(agreement_attachments::agreement_id.eq(agreement))
        .filter(agreement_attachments::sha256.eq(&sha256))
        .count()
        .get_result::<i64>(conn)
        .await?;
    if found > 0 {
        tally.unchanged += 1;
        return Ok(tally);
    }

    // The sequence of `upload_attachment`: the file first, then its row and the agreement's
    // event in the seed's transaction (PostgreSQL refuses the new version without its event).
    let id = Uuid::now_v7();
    let file_name = clean_file_name(Some(FILE_NAME));
    let storage_key = format!("attachments/{id}/{sha256}.pdf");
    let size_bytes = bytes.len() as i64;
    media
        .store
        .put(
            &storage_key,
            bytes::Bytes::from(bytes),
            PDF,
            Some(&content_disposition(&file_name)),
        )
        .await
        .map_err(ApiError::internal)?;
    let new = NewAttachment {
        id,
        agreement_id: agreement,
        file_name: &file_name,
        mime_type: PDF,
        size_bytes,
        sha256: &sha256,
        storage_key: &storage_key,
    };
    let added = async {
        model::add(conn, new).await?;
        record_write(conn, agreement, Verb::AttachmentAdded, Actor::SYSTEM, url).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(e) = added {
        // As the API does: a file with no row is removed. (Should a later part of the demo
        // fail, the whole load rolls back and this file stays, unnamed by any row.)
        remove_files(media.store, &[storage_key]).await;
        return Err(e);
    }
    tally.created += 1;
    Ok(tally)
}

/// A one-page A4 PDF 1.4 showing `lines` (ASCII; others become `?`) in Helvetica, the first
/// as a heading. The same bytes on every run (no dates, no ids), so a second run finds the
/// attachment by its hash. Written by hand: five objects, then the cross-reference table of
/// their byte offsets that readers need to find them.
fn placeholder_pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT\n/F1 16 Tf\n72 770 Td\n");
    for (i, line) in lines.iter().enumerate() {
        match i {
            0 => {}
            1 => text.push_str("/F1 11 Tf\n0 -32 Td\n"),
            _ => text.push_str("0 -18 Td\n"),
        }
        text.push_str(&format!("({}) Tj\n", pdf_string(line)));
    }
    text.push_str("ET");

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    // The binary comment tells transfer tools the file is not text.
    let mut pdf: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    // Each entry is exactly 20 bytes, its end of line the two bytes " \n".
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}

/// `s` as the inside of a PDF literal string: printable ASCII, `\`, `(` and `)` escaped.
fn pdf_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `needle` first occurs in `pdf`.
    fn find(pdf: &[u8], needle: &[u8]) -> usize {
        pdf.windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or_else(|| panic!("no {:?}", String::from_utf8_lossy(needle)))
    }

    #[test]
    fn the_placeholder_is_a_pdf_the_api_would_accept() {
        let pdf = placeholder_pdf(LINES);
        // What `upload_attachment` checks (`sniff_pdf`).
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        assert_eq!(pdf, placeholder_pdf(LINES), "the same bytes on every run");
        assert!(find(&pdf, b"/MediaBox [0 0 595 842]") > 0);
        assert!(find(&pdf, b"(QUY CHE PHOI HOP so 31B-QCPH/BDV-DDHDND) Tj") > 0);
        assert!(LINES.iter().all(|l| l.is_ascii()));
        assert_eq!(clean_file_name(Some(FILE_NAME)), FILE_NAME);
    }

    #[test]
    fn its_cross_references_point_at_its_objects() {
        let pdf = placeholder_pdf(LINES);
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|rest| rest.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 6\n"));
        let entries = &pdf[start + b"xref\n0 6\n".len()..];
        assert!(entries.starts_with(b"0000000000 65535 f \n"));
        for n in 1..6 {
            let entry = &entries[n * 20..(n + 1) * 20];
            assert!(entry.ends_with(b" 00000 n \n"), "entry {n}");
            let offset: usize = std::str::from_utf8(&entry[..10]).unwrap().parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{n} 0 obj\n").as_bytes()),
                "object {n} at {offset}"
            );
        }
        // The content stream is as long as it says (the end of line before `endstream` is
        // not part of it).
        let stream = find(&pdf, b"stream\n") + b"stream\n".len();
        let end = find(&pdf, b"\nendstream");
        let length = format!("/Length {} >>", end - stream);
        assert!(find(&pdf, length.as_bytes()) > 0, "{length}");
    }

    #[test]
    fn text_is_escaped_for_a_pdf_string() {
        assert_eq!(pdf_string(r"a (b) \c"), r"a \(b\) \\c");
        assert_eq!(pdf_string("Đoàn"), "?o?n");
    }
}
