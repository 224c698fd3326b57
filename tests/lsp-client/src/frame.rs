//! The LSP base protocol's framing: a `Content-Length` header, a blank
//! line, then the JSON body. [`encode`] writes one frame; [`Decoder`] cuts
//! a byte stream back into messages, whatever size the reads come in.

use serde_json::Value;

/// `message` as one frame.
pub fn encode(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body.as_bytes());
    frame
}

/// Bytes in as they arrive ([`Decoder::push`]), whole messages out
/// ([`Decoder::next_message`]).
///
/// Header names are matched in any case and lines may end in LF alone;
/// headers other than `Content-Length` are ignored. A frame without a
/// length, or whose body is not JSON, comes out as an `Err` describing it
/// (and is dropped): the server under test broke the protocol.
#[derive(Default)]
pub struct Decoder {
    buffer: Vec<u8>,
}

impl Decoder {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, or `None` until more bytes arrive.
    pub fn next_message(&mut self) -> Option<Result<Value, String>> {
        let (headers, body_start) = header_end(&self.buffer)?;
        let length = String::from_utf8_lossy(&self.buffer[..headers])
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .map(|(_, value)| value.trim().parse::<usize>());
        let length = match length {
            Some(Ok(length)) => length,
            _ => {
                let header = String::from_utf8_lossy(&self.buffer[..headers]).into_owned();
                self.buffer.drain(..body_start);
                return Some(Err(format!(
                    "a frame without a valid Content-Length: {header:?}"
                )));
            }
        };
        if self.buffer.len() < body_start + length {
            return None;
        }
        let body: Vec<u8> = self
            .buffer
            .drain(..body_start + length)
            .skip(body_start)
            .collect();
        Some(serde_json::from_slice(&body).map_err(|e| {
            format!(
                "a body that is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&body)
            )
        }))
    }

    /// What is left once the stream has ended: a description of the
    /// incomplete frame, if there is one.
    pub fn leftover(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&self.buffer);
        (!text.trim().is_empty()).then(|| format!("the stream ended inside a frame: {text:?}"))
    }
}

/// The length of the header block and where the body starts, once the
/// blank line that ends the headers has arrived.
fn header_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let mut line_start = 0;
    while let Some(newline) = buffer[line_start..].iter().position(|&b| b == b'\n') {
        let line = &buffer[line_start..line_start + newline];
        if line.strip_suffix(b"\r").unwrap_or(line).is_empty() {
            return Some((line_start, line_start + newline + 1));
        }
        line_start += newline + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_cut_anywhere_come_out_whole_and_in_order() {
        let first = json!({"jsonrpc": "2.0", "id": 1, "result": "ünïcode"});
        let second = json!({"jsonrpc": "2.0", "method": "exit"});
        let mut bytes = encode(&first);
        bytes.extend(encode(&second));
        for cut in 0..bytes.len() {
            let mut decoder = Decoder::default();
            let mut out = Vec::new();
            for part in [&bytes[..cut], &bytes[cut..]] {
                decoder.push(part);
                while let Some(message) = decoder.next_message() {
                    out.push(message.unwrap());
                }
            }
            assert_eq!(out, vec![first.clone(), second.clone()], "cut at {cut}");
            assert_eq!(decoder.leftover(), None);
        }
    }

    #[test]
    fn lenient_headers_and_broken_frames() {
        let mut decoder = Decoder::default();
        decoder.push(b"content-type: x\ncontent-length: 2\n\n{}");
        assert_eq!(decoder.next_message(), Some(Ok(json!({}))));
        decoder.push(b"X-Other: 1\r\n\r\n");
        assert!(decoder.next_message().unwrap().is_err());
        decoder.push(b"Content-Length: 5\r\n\r\nhello");
        assert!(decoder.next_message().unwrap().is_err());
        decoder.push(b"Content-Length: 10\r\n\r\n{}");
        assert_eq!(decoder.next_message(), None);
        assert!(decoder.leftover().is_some());
    }
}
