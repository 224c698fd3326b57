//! The byte stream between the editor and the protocol layer.
//!
//! tower-lsp-server reads its input with a strict codec: one malformed
//! message (a lowercase `content-length`, an unknown header, LF-only
//! header lines, a length that is not a number, a body that is not a
//! JSON-RPC message) got one error reply and then ended the server, with
//! exit status 0, so the editor silently lost it. This layer owns stdin
//! and stdout instead. It reads each frame leniently, answers a malformed
//! one with a JSON-RPC error and reads on, answers `$/` requests the
//! protocol layer would leave unanswered, and hands every well-formed
//! message to tower-lsp-server, re-framed, through an in-memory pipe.
//! Its output comes back through another pipe and is copied to stdout
//! whole frame by whole frame, with the error replies in between.

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc;

/// Longer header lines are not LSP: they end the frame as malformed.
const MAX_HEADER_LINE: usize = 8 * 1024;
/// Bodies above this size are refused (and skipped): 1 GiB is far above any
/// document an editor sends, and far below what a corrupt length claims.
pub const MAX_BODY: usize = 1 << 30;
/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;

/// One unit read from the editor.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A JSON-RPC message, as its JSON text.
    Message(Vec<u8>),
    /// Something that is not a message; `id` when the body had one.
    Malformed {
        code: i64,
        reason: String,
        id: Option<Value>,
    },
    /// The input ended (also in the middle of a frame).
    End,
}

/// Reads frames from `input`.
pub struct FrameReader<R> {
    input: R,
    line: Vec<u8>,
    /// The body of a refused oversized frame, skipped before the next one.
    skip: usize,
    /// Bodies are checked to be JSON-RPC messages (the editor's input);
    /// not for the protocol layer's own output, which only needs framing.
    check_bodies: bool,
}

impl<R: AsyncBufRead + Unpin> FrameReader<R> {
    pub fn new(input: R) -> Self {
        FrameReader {
            input,
            line: Vec::new(),
            skip: 0,
            check_bodies: true,
        }
    }

    /// A reader that trusts its bodies: parsing every outgoing message
    /// (hundreds of KB for a file with many findings) would only repeat
    /// what the protocol layer just serialised.
    pub fn unchecked(input: R) -> Self {
        FrameReader {
            check_bodies: false,
            ..FrameReader::new(input)
        }
    }

    /// The next frame. Headers are matched without regard to case, lines
    /// may end in LF alone, headers other than `Content-Length` are
    /// ignored, and blank lines before a header are skipped.
    pub async fn next(&mut self) -> Frame {
        if self.skip > 0 {
            let skip = std::mem::take(&mut self.skip);
            if self.skip_bytes(skip).await.is_err() {
                return Frame::End;
            }
        }
        let mut length: Option<usize> = None;
        let mut seen_header = false;
        loop {
            self.line.clear();
            let read = (&mut self.input)
                .take(MAX_HEADER_LINE as u64 + 2)
                .read_until(b'\n', &mut self.line)
                .await;
            match read {
                Ok(0) | Err(_) => return Frame::End,
                Ok(_) => {}
            }
            if !self.line.ends_with(b"\n") && self.line.len() > MAX_HEADER_LINE {
                // Drop the rest of the overlong line.
                let _ = self.skip_line().await;
                return malformed(PARSE_ERROR, "a header line is too long", None);
            }
            let line = trim_line_end(&self.line);
            if line.is_empty() {
                if !seen_header {
                    continue;
                }
                break;
            }
            seen_header = true;
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                return malformed(PARSE_ERROR, "a header line without `:`", None);
            };
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            if name.trim_ascii().eq_ignore_ascii_case(b"content-length") {
                let parsed = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.trim().parse::<usize>().ok());
                match parsed {
                    Some(n) => length = Some(n),
                    None => {
                        // Read on to the end of the headers so the next
                        // frame starts at a header.
                        self.skip_headers().await;
                        return malformed(PARSE_ERROR, "Content-Length is not a number", None);
                    }
                }
            }
        }
        let Some(length) = length else {
            return malformed(PARSE_ERROR, "a frame without Content-Length", None);
        };
        if length > MAX_BODY {
            self.skip = length;
            return malformed(
                PARSE_ERROR,
                &format!("a message of {length} bytes, above the limit of {MAX_BODY}"),
                None,
            );
        }
        let mut body = vec![0u8; length];
        if self.input.read_exact(&mut body).await.is_err() {
            return Frame::End;
        }
        if !self.check_bodies {
            return Frame::Message(body);
        }
        check_message(body)
    }

    async fn skip_line(&mut self) -> std::io::Result<()> {
        let mut rest = Vec::new();
        self.input.read_until(b'\n', &mut rest).await.map(drop)
    }

    async fn skip_headers(&mut self) {
        loop {
            self.line.clear();
            match self.input.read_until(b'\n', &mut self.line).await {
                Ok(0) | Err(_) => return,
                Ok(_) if trim_line_end(&self.line).is_empty() => return,
                Ok(_) => {}
            }
        }
    }

    async fn skip_bytes(&mut self, count: usize) -> std::io::Result<()> {
        let copied = tokio::io::copy(
            &mut (&mut self.input).take(count as u64),
            &mut tokio::io::sink(),
        )
        .await?;
        if copied < count as u64 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn malformed(code: i64, reason: &str, id: Option<Value>) -> Frame {
    Frame::Malformed {
        code,
        reason: reason.to_string(),
        id,
    }
}

/// A body is a message when it is a JSON object with `"jsonrpc": "2.0"`
/// and either a string `method` or an `id` with a `result` or `error`.
fn check_message(body: Vec<u8>) -> Frame {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(err) => return malformed(PARSE_ERROR, &format!("the body is not JSON: {err}"), None),
    };
    let Some(object) = value.as_object() else {
        return malformed(INVALID_REQUEST, "the body is not a JSON object", None);
    };
    let id = object
        .get("id")
        .filter(|id| id.is_number() || id.is_string())
        .cloned();
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return malformed(INVALID_REQUEST, "`jsonrpc` is not \"2.0\"", id);
    }
    let is_call = object.get("method").is_some_and(Value::is_string);
    let is_response =
        id.is_some() && (object.contains_key("result") || object.contains_key("error"));
    if !is_call && !is_response {
        return malformed(
            INVALID_REQUEST,
            "neither a request, a notification nor a response",
            id,
        );
    }
    Frame::Message(body)
}

/// `Content-Length` framing of a JSON text.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_reply(code: i64, message: &str, id: Option<Value>) -> Vec<u8> {
    let reply = json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(Value::Null),
        "error": { "code": code, "message": message },
    });
    frame(reply.to_string().as_bytes())
}

/// What the relay saw of the session.
#[derive(Clone, Copy, Debug, Default)]
pub struct Session {
    /// A `shutdown` request went through before the session ended: an
    /// `exit` then means success (status 0), as the protocol says.
    pub shut_down: bool,
}

/// What the relay writes to stdout, in queue order.
enum Outgoing {
    /// A whole frame, header included.
    Bytes(Vec<u8>),
    /// The protocol layer has ended: nothing more will come.
    End,
}

/// Serves `service` over `input`/`output`: the relay described in the
/// module docs. Returns when the protocol layer ends (after `exit`, or
/// when the input ends).
pub async fn serve<I, O>(
    input: I,
    mut output: O,
    service: tower_lsp_server::LspService<super::Backend>,
    socket: tower_lsp_server::ClientSocket,
) -> Session
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin,
{
    let (to_server, server_in) = tokio::io::duplex(64 * 1024);
    let (server_out, from_server) = tokio::io::duplex(64 * 1024);
    // Everything for stdout goes through one queue, in order: the protocol
    // layer's frames and the error replies to malformed input. (Selecting
    // between a half-read frame and a reply would drop the half-read frame
    // when the reply wins: reading a frame is not cancel-safe.)
    let (replies, mut outgoing) = mpsc::unbounded_channel::<Outgoing>();
    let server_frames = replies.clone();
    let (shutdown_seen, shutdown_flag) = tokio::sync::watch::channel(false);

    // Editor → protocol layer.
    let reader = tokio::spawn(async move {
        let mut frames = FrameReader::new(tokio::io::BufReader::new(input));
        let mut to_server = to_server;
        loop {
            match frames.next().await {
                Frame::End => break,
                Frame::Malformed { code, reason, id } => {
                    let _ = replies.send(Outgoing::Bytes(error_reply(code, &reason, id)));
                }
                Frame::Message(body) => {
                    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                        continue; // checked in `check_message`
                    };
                    let method = message.get("method").and_then(Value::as_str);
                    let id = message.get("id").cloned();
                    if let (Some(method), Some(id)) = (method, &id) {
                        if method.starts_with("$/") {
                            let reason = format!("`{method}` is not supported");
                            let _ = replies.send(Outgoing::Bytes(error_reply(
                                METHOD_NOT_FOUND,
                                &reason,
                                Some(id.clone()),
                            )));
                            continue;
                        }
                        if method == "shutdown" {
                            let _ = shutdown_seen.send(true);
                        }
                    }
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        break; // the protocol layer has ended
                    }
                }
            }
        }
        // Dropping the pipe tells the protocol layer that the input ended.
    });

    let server = tower_lsp_server::Server::new(server_in, server_out, socket).serve(service);
    // Protocol layer → the queue, whole frames only.
    let pump = async move {
        let mut frames = FrameReader::unchecked(tokio::io::BufReader::new(from_server));
        loop {
            match frames.next().await {
                Frame::Message(body) => {
                    if server_frames.send(Outgoing::Bytes(frame(&body))).is_err() {
                        break;
                    }
                }
                Frame::Malformed { .. } => {}
                Frame::End => break,
            }
        }
        let _ = server_frames.send(Outgoing::End);
    };
    // The queue → stdout. It owns the queue: when stdout is gone, the pump
    // stops queueing.
    let relay_out = async move {
        while let Some(Outgoing::Bytes(bytes)) = outgoing.recv().await {
            if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
        let _ = output.flush().await;
    };
    let ((), (), ()) = tokio::join!(server, pump, relay_out);
    reader.abort();
    let shut_down = *shutdown_flag.borrow();
    Session { shut_down }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut reader = FrameReader::new(input);
            let mut out = Vec::new();
            loop {
                let next = reader.next().await;
                let end = next == Frame::End;
                out.push(next);
                if end {
                    return out;
                }
            }
        })
    }

    const PING: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

    /// The protocol layer's own output is only unframed, never parsed: a
    /// body that is not JSON passes through as it is.
    #[test]
    fn the_unchecked_reader_passes_bodies_through() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let input: &[u8] = b"Content-Length: 3\r\n\r\nabc";
        let (checked, unchecked) = runtime.block_on(async {
            (
                FrameReader::new(input).next().await,
                FrameReader::unchecked(input).next().await,
            )
        });
        assert!(matches!(checked, Frame::Malformed { .. }), "{checked:?}");
        assert_eq!(unchecked, Frame::Message(b"abc".to_vec()));
    }

    fn is_message(frame: &Frame) -> bool {
        matches!(frame, Frame::Message(body) if body == PING.as_bytes())
    }

    #[test]
    fn lenient_headers_still_give_the_message() {
        let n = PING.len();
        for input in [
            format!("Content-Length: {n}\r\n\r\n{PING}"),
            format!("content-length: {n}\r\n\r\n{PING}"),
            format!("Content-Length: {n}\n\n{PING}"),
            format!("X-Unknown: 1\r\nContent-Length: {n}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{PING}"),
            format!("\r\nContent-Length:{n}\r\n\r\n{PING}"),
        ] {
            let got = frames(input.as_bytes());
            assert!(is_message(&got[0]), "{input:?}: {got:?}");
            assert_eq!(got[1], Frame::End);
        }
    }

    #[test]
    fn a_malformed_frame_is_reported_and_the_next_one_is_read() {
        let n = PING.len();
        let good = format!("Content-Length: {n}\r\n\r\n{PING}");
        for bad in [
            "Content-Length: 2\r\n\r\n{}".to_string(),
            "Content-Length: 5\r\n\r\nhello".to_string(),
            "Content-Length: abc\r\n\r\n".to_string(),
            "Content-Length: 9\r\n\r\n[1, 2, 3]".to_string(),
            {
                let body = r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#;
                format!("Content-Length: {}\r\n\r\n{body}", body.len())
            },
            "garbage\r\n".to_string(),
            "Content-Type: text/plain\r\n\r\n".to_string(),
            format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1),
        ] {
            let got = frames(format!("{bad}{good}").as_bytes());
            assert!(
                matches!(got[0], Frame::Malformed { .. }),
                "{bad:?}: {got:?}"
            );
            if !bad.contains(&(MAX_BODY + 1).to_string()) {
                assert!(is_message(&got[1]), "{bad:?}: {got:?}");
            }
        }
    }

    #[test]
    fn the_id_of_an_invalid_request_is_kept_for_the_reply() {
        let body = r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#;
        let got = frames(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        assert!(
            matches!(&got[0], Frame::Malformed { id: Some(id), code, .. } if *id == json!(7) && *code == INVALID_REQUEST),
            "{got:?}"
        );
    }

    #[test]
    fn a_truncated_body_ends_the_input() {
        let got = frames(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
        assert_eq!(got, vec![Frame::End]);
    }
}
