//! `dols-lsp-client`: the one JSON-RPC client that dols's protocol tests,
//! its benchmark and its Helix check speak to the language server with.
//!
//! Before this crate, each of them framed messages, numbered requests,
//! matched responses, collected notifications and answered the server's
//! requests in its own copy (the in-process tests, `tests/lsp_stdio.rs`,
//! `dols-bench` and a Python client for Helix), and each copy had its own
//! idea of what a stray response or a timeout meant.
//!
//! # Shape
//!
//! - [`frame`]: `Content-Length` framing, both ways, as plain functions
//!   over bytes.
//! - [`Client`]: the transport-agnostic core. It numbers requests, files
//!   each response under its id (a second response, or one to an id never
//!   sent, fails at once), logs everything else the server sends in order,
//!   answers the server's requests as configured ([`Answer`]), bounds
//!   every wait by a timeout, and ends with a guard
//!   ([`Client::assert_clean`]). Its methods are async.
//! - Two front ends over it:
//!   - [`Client::pipe`] / [`Client::over`]: in-memory streams, for a server
//!     that runs on the test's own tokio runtime (the in-process protocol
//!     tests start dols's service on the other end);
//!   - [`Process`]: a server binary spawned as a child and spoken to over
//!     stdio, with blocking methods, for `tests/lsp_stdio.rs`, the
//!     benchmark and the Helix session.
//!
//! Why a crate, and why async at the core: the in-process tests must share
//! a runtime with the server, so the core cannot block; a blocking caller
//! gets the same core on a private current-thread runtime rather than a
//! second implementation. A crate of the workspace (not a module
//! `#[path]`-included into each test) is what the benchmark and the
//! `dols-helix-session` program can depend on too, and it keeps the
//! server's package free of test code. It depends on `serde_json` and
//! `tokio` only, both already in the server's tree, and knows nothing of
//! dols: starting dols in process, fixtures and snapshots stay in
//! `tests/support/lsp_client.rs`.

pub mod frame;

mod client;
mod process;

pub use client::{Answer, Client, Error, DEFAULT_TIMEOUT};
pub use process::Process;

use std::path::{Path, PathBuf};

/// A `file://` URI for an absolute path; bytes other than ASCII letters,
/// digits, `/`, `-`, `.`, `_` and `~` are percent-encoded.
pub fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The path of a `file://` URI, percent-decoded; `None` for another scheme.
pub fn path_of(uri: &str) -> Option<PathBuf> {
    let encoded = uri.strip_prefix("file://")?.as_bytes();
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut at = 0;
    while at < encoded.len() {
        let hex = encoded
            .get(at + 1..at + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (encoded[at], hex) {
            (b'%', Some(byte)) => {
                bytes.push(byte);
                at += 3;
            }
            (byte, _) => {
                bytes.push(byte);
                at += 1;
            }
        }
    }
    Some(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Copies the folder `from` to `to` (created), recursively: a workspace
/// for a spawned server to index, away from the repository. Panics on an
/// I/O error, as a test setup should.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let path = Path::new("/tmp/a b/café/x_y-z.ts");
        let uri = uri(path);
        assert_eq!(uri, "file:///tmp/a%20b/caf%C3%A9/x_y-z.ts");
        assert_eq!(path_of(&uri).as_deref(), Some(path));
        assert_eq!(path_of("untitled:1"), None);
    }
}
