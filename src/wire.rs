//! Errors the HTTP/1 layer answers before a request reaches the app.
//!
//! actix-http answers a request it cannot parse (a path with a character that must be
//! percent-encoded, such as `<id>` pasted from a text), a request whose headers take too long
//! (408) or are too large (431) by itself, with an empty body, before any middleware runs.
//! [`ProblemIo`] wraps each connection and rewrites exactly those answers — a head-only
//! 4xx written by the HTTP layer, which the app never sends (every error of the app carries a
//! problem document) — into problem+json documents that say what was wrong, and logs them.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{Problem, generic_problem};

/// A connection whose framework-made error answers become problem documents.
pub struct ProblemIo<IO> {
    io: IO,
    /// A rewritten answer still being written: its bytes and how many have gone.
    pending: Option<(Vec<u8>, usize)>,
}

impl<IO> ProblemIo<IO> {
    pub fn new(io: IO) -> Self {
        ProblemIo { io, pending: None }
    }
}

/// What the client is told for a status the HTTP layer answers by itself.
fn detail_for(status: StatusCode) -> String {
    match status.as_u16() {
        400 => "the request is not valid HTTP/1.1: check the request line (a path with a \
                character that must be percent-encoded, such as `<`, `>`, `\"`, `{`, `}` or a \
                space; replace a placeholder like `<id>` with a real id) and the headers"
            .into(),
        408 => "the request's headers did not arrive in time (BANTIN_HEADER_TIMEOUT)".into(),
        413 | 431 => "the request's headers are too large".into(),
        _ => status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .into(),
    }
}

/// The status of `buf` if it is a whole head-only 4xx answer written by the HTTP layer.
fn framework_error(buf: &[u8]) -> Option<StatusCode> {
    let head = buf.strip_prefix(b"HTTP/1.1 4")?;
    if !buf.ends_with(b"\r\n\r\n") || !contains(buf, b"\r\ncontent-length: 0\r\n") {
        return None;
    }
    let digits = std::str::from_utf8(head.get(..2)?).ok()?;
    StatusCode::from_u16(400 + digits.parse::<u16>().ok()?).ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The answer that replaces a framework error: the same status, a problem document, and the
/// connection closed (the layer closes it after these answers anyway).
fn rewrite(status: StatusCode) -> Vec<u8> {
    let request_id = uuid::Uuid::now_v7().to_string();
    let mut problem: Problem = generic_problem(status);
    problem.detail = detail_for(status);
    problem.request_id = request_id.clone();
    tracing::info!(
        target: "bantin::http",
        status = status.as_u16(), %request_id, error = %problem.detail,
        "request refused by the HTTP layer"
    );
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nx-content-type-options: nosniff\r\nx-request-id: {request_id}\r\n\
         connection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

impl<IO: AsyncWrite + Unpin> ProblemIo<IO> {
    /// Writes what is left of a rewritten answer; ready when nothing is.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, sent)) = &mut self.pending {
            if *sent == bytes.len() {
                self.pending = None;
                break;
            }
            match Pin::new(&mut self.io).poll_write(cx, &bytes[*sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *sent += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for ProblemIo<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for ProblemIo<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other.map(|r| r.map(|()| 0)),
        }
        if let Some(status) = framework_error(buf) {
            this.pending = Some((rewrite(status), 0));
            // The whole answer is taken; it goes out on the next writes and flushes.
            return match this.poll_pending(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn only_head_only_4xx_answers_are_recognised() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Fri, 04 Dec 2026 16:20:02 GMT\r\n\r\n";
        assert_eq!(framework_error(bare), Some(StatusCode::BAD_REQUEST));
        let timeout = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(framework_error(timeout), Some(StatusCode::REQUEST_TIMEOUT));
        let with_body = b"HTTP/1.1 404 Not Found\r\ncontent-length: 10\r\n\r\n{\"a\": 1}  ";
        assert_eq!(framework_error(with_body), None);
        let ok = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(framework_error(ok), None);
        let partial = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n";
        assert_eq!(framework_error(partial), None);
    }

    #[tokio::test]
    async fn a_bare_400_goes_out_as_a_problem_document() {
        let (client, server) = tokio::io::duplex(64);
        let mut wrapped = ProblemIo::new(server);
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        let writer = tokio::spawn(async move {
            wrapped.write_all(bare).await.unwrap();
            wrapped.shutdown().await.unwrap();
        });
        let mut answer = String::new();
        let mut client = client;
        client.read_to_string(&mut answer).await.unwrap();
        writer.await.unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
        assert!(answer.contains("content-type: application/problem+json\r\n"));
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 400);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("percent-encoded")
        );
        let length = answer
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap();
        assert_eq!(length.parse::<usize>().unwrap(), body.len());
    }
}
