//! The transport-agnostic core: ids, responses, the log of what the server
//! sent, answers to its requests, timeouts and the guard.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::frame::{self, Decoder};

/// A message the reader decoded, or why a frame was not one.
pub(crate) type Incoming = Result<Value, String>;

/// How long a call waits for the server unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the client answers to a request from the server.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A response with this `result`.
    Result(Value),
    /// A response whose `result` holds this value once per entry of
    /// `params.items`, the shape `workspace/configuration` asks for.
    PerItem(Value),
    /// An error response.
    Error { code: i64, message: String },
}

/// Why a call gave up. The panicking methods (`request`, `wait_after`, ...)
/// panic with this text; the `try_` ones return it.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Nothing that would do arrived within the client's timeout.
    Timeout {
        waiting_for: String,
        after: Duration,
    },
    /// The server closed its end before it arrived.
    Closed { waiting_for: String },
    /// The server sent bytes that are not a framed JSON message.
    Malformed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Timeout { waiting_for, after } => {
                write!(f, "no {waiting_for} within {after:?}")
            }
            Error::Closed { waiting_for } => {
                write!(f, "the server closed the connection before {waiting_for}")
            }
            Error::Malformed(what) => write!(f, "the server sent {what}"),
        }
    }
}

impl std::error::Error for Error {}

/// Where frames to the server go: an async stream (the in-memory pipe) or
/// a blocking one (a child's stdin; [`crate::Process`] runs the core on a
/// runtime of its own, so blocking there blocks nobody else).
pub(crate) enum Writer {
    Async(Box<dyn AsyncWrite + Send + Unpin>),
    Blocking(Box<dyn Write + Send>),
}

impl Writer {
    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Writer::Async(w) => {
                w.write_all(bytes).await?;
                w.flush().await
            }
            Writer::Blocking(w) => {
                w.write_all(bytes)?;
                w.flush()
            }
        }
    }
}

/// Hands every whole message in `decoder` to the client; false once the
/// client is gone.
fn deliver(decoder: &mut Decoder, to: &mpsc::UnboundedSender<Incoming>) -> bool {
    while let Some(message) = decoder.next_message() {
        if to.send(message).is_err() {
            return false;
        }
    }
    true
}

/// Decodes what the server writes until it closes its end (a tokio task).
pub(crate) async fn read_async(
    mut from: impl AsyncRead + Unpin,
    to: mpsc::UnboundedSender<Incoming>,
) {
    let mut decoder = Decoder::default();
    let mut chunk = vec![0; 1 << 16];
    while let Ok(read @ 1..) = from.read(&mut chunk).await {
        decoder.push(&chunk[..read]);
        if !deliver(&mut decoder, &to) {
            return;
        }
    }
    if let Some(leftover) = decoder.leftover() {
        let _ = to.send(Err(leftover));
    }
}

/// [`read_async`] for a blocking stream (a thread).
pub(crate) fn read_blocking(mut from: impl Read, to: mpsc::UnboundedSender<Incoming>) {
    let mut decoder = Decoder::default();
    let mut chunk = vec![0; 1 << 16];
    while let Ok(read @ 1..) = from.read(&mut chunk) {
        decoder.push(&chunk[..read]);
        if !deliver(&mut decoder, &to) {
            return;
        }
    }
    if let Some(leftover) = decoder.leftover() {
        let _ = to.send(Err(leftover));
    }
}

/// A request the client sent.
struct Sent {
    method: String,
    responses: usize,
}

/// One JSON-RPC connection to a language server, as a client.
///
/// - Requests get ids 1, 2, 3, ...; each response is filed under its id,
///   a second response to one id or a response to an id never sent fails
///   at once.
/// - Everything else the server sends (notifications and its requests) is
///   appended to [`Client::notifications`], in order; waits look there.
/// - The server's requests are answered as [`Client::answer`] says, by
///   method; one with no answer configured gets none, and fails
///   [`Client::assert_clean`].
/// - Every wait ends after [`Client::timeout`] (30 s unless set).
///
/// The methods are async and need a tokio runtime with time enabled;
/// [`crate::Process`] wraps them for blocking callers.
pub struct Client {
    writer: Writer,
    incoming: mpsc::UnboundedReceiver<Incoming>,
    next_id: i64,
    sent: BTreeMap<i64, Sent>,
    /// Responses received and not yet read.
    unread: BTreeMap<i64, Value>,
    /// Everything the server sent that is not a response, in order:
    /// notifications and requests (answered or not). Callers may clear it
    /// (a benchmark between samples); indexes returned by the waits then
    /// start again from 0.
    pub notifications: Vec<Value>,
    answers: BTreeMap<String, Answer>,
    others: Option<Answer>,
    /// Requests from the server that no configured answer covered.
    unanswered: Vec<Value>,
    /// How long one call waits for the server.
    pub timeout: Duration,
}

impl Client {
    pub(crate) fn new(writer: Writer, incoming: mpsc::UnboundedReceiver<Incoming>) -> Client {
        Client {
            writer,
            incoming,
            next_id: 1,
            sent: BTreeMap::new(),
            unread: BTreeMap::new(),
            notifications: Vec::new(),
            answers: BTreeMap::new(),
            others: None,
            unanswered: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A client over any pair of async streams to the server. A task on
    /// the current tokio runtime reads `from`.
    pub fn over(
        from: impl AsyncRead + Send + Unpin + 'static,
        to: impl AsyncWrite + Send + Unpin + 'static,
    ) -> Client {
        let (sender, incoming) = mpsc::unbounded_channel();
        tokio::spawn(read_async(from, sender));
        Client::new(Writer::Async(Box::new(to)), incoming)
    }

    /// A client on one end of an in-memory pipe (1 MiB each way); the
    /// other end is for the server, which runs on the same runtime.
    pub fn pipe() -> (Client, DuplexStream) {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let (from, to) = tokio::io::split(ours);
        (Client::over(from, to), theirs)
    }

    /// Answers the server's requests for `method` with `answer` from now on.
    pub fn answer(&mut self, method: &str, answer: Answer) -> &mut Client {
        self.answers.insert(method.to_string(), answer);
        self
    }

    /// Answers the server's requests for any method without an answer of
    /// its own with `answer` from now on.
    pub fn answer_others(&mut self, answer: Answer) -> &mut Client {
        self.others = Some(answer);
        self
    }

    // ------------------------------------------------------------ sending

    /// Writes one JSON-RPC message as a frame.
    pub async fn send(&mut self, message: &Value) {
        self.send_raw(&frame::encode(message)).await;
    }

    /// Writes bytes as they are (for tests of malformed input).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        if let Err(e) = self.writer.write(bytes).await {
            panic!("writing to the server: {e}");
        }
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request without waiting; its response is read with
    /// [`Client::response`].
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.sent.insert(
            id,
            Sent {
                method: method.to_string(),
                responses: 0,
            },
        );
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    // ------------------------------------------------------------ receiving

    /// The next message from the server as it comes, not filed (requests
    /// not answered either); `None` once the server has closed its end.
    pub async fn try_next_message(&mut self) -> Result<Option<Value>, Error> {
        let deadline = Instant::now() + self.timeout;
        match self.receive(deadline, || "message".to_string()).await {
            Ok(message) => Ok(Some(message)),
            Err(Error::Closed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// [`Client::try_next_message`], which must give a message.
    pub async fn next_message(&mut self) -> Value {
        match self.try_next_message().await {
            Ok(Some(message)) => message,
            Ok(None) => panic!("the server closed the connection"),
            Err(e) => panic!("{e}"),
        }
    }

    async fn receive(
        &mut self,
        deadline: Instant,
        waiting_for: impl Fn() -> String,
    ) -> Result<Value, Error> {
        match tokio::time::timeout_at(deadline, self.incoming.recv()).await {
            Ok(Some(Ok(message))) => Ok(message),
            Ok(Some(Err(malformed))) => Err(Error::Malformed(malformed)),
            Ok(None) => Err(Error::Closed {
                waiting_for: waiting_for(),
            }),
            Err(_) => Err(Error::Timeout {
                waiting_for: waiting_for(),
                after: self.timeout,
            }),
        }
    }

    /// Files one message from the server: a response under its id,
    /// anything else in the log, answering it when it is a request.
    async fn take(&mut self, message: Value) {
        if message.get("method").is_none() {
            let id = message["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("a response without one of our ids: {message}"));
            let sent = self
                .sent
                .get_mut(&id)
                .unwrap_or_else(|| panic!("a response to a request never sent: {message}"));
            sent.responses += 1;
            assert_eq!(
                sent.responses, 1,
                "a second response to request {id} ({}): {message}",
                sent.method
            );
            self.unread.insert(id, message);
            return;
        }
        if let Some(id) = message.get("id").cloned() {
            let method = message["method"].as_str().unwrap_or_default();
            match self.answers.get(method).or(self.others.as_ref()).cloned() {
                Some(answer) => {
                    let reply = match answer {
                        Answer::Result(result) => {
                            json!({"jsonrpc": "2.0", "id": id, "result": result})
                        }
                        Answer::PerItem(item) => {
                            let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                            json!({"jsonrpc": "2.0", "id": id, "result": vec![item; items]})
                        }
                        Answer::Error { code, message } => json!({"jsonrpc": "2.0", "id": id,
                            "error": {"code": code, "message": message}}),
                    };
                    self.send(&reply).await;
                }
                None => self.unanswered.push(message.clone()),
            }
        }
        self.notifications.push(message);
    }

    /// Reads and files messages until the response to `id` is there.
    pub async fn try_response(&mut self, id: i64) -> Result<Value, Error> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(response) = self.unread.remove(&id) {
                return Ok(response);
            }
            let method = self.sent.get(&id).map_or("?", |s| &s.method).to_string();
            let message = self
                .receive(deadline, || format!("response to {method} (request {id})"))
                .await?;
            self.take(message).await;
        }
    }

    pub async fn response(&mut self, id: i64) -> Value {
        self.try_response(id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sends a request and returns its response (`result` or `error`).
    pub async fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Error> {
        let id = self.send_request(method, params).await;
        self.try_response(id).await
    }

    /// [`Client::try_request`], which must get a response.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.try_request(method, params)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The `result` of a request that must succeed.
    pub async fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The first message of [`Client::notifications`] from index `after`
    /// on that satisfies `pred`, reading more until one does; returns it
    /// and the index to wait after next time.
    pub async fn try_wait_after(
        &mut self,
        after: usize,
        pred: impl Fn(&Value) -> bool,
    ) -> Result<(Value, usize), Error> {
        let deadline = Instant::now() + self.timeout;
        let mut from = after;
        loop {
            let start = from.min(self.notifications.len());
            if let Some(at) = self.notifications[start..].iter().position(&pred) {
                let at = start + at;
                return Ok((self.notifications[at].clone(), at + 1));
            }
            // Everything logged so far has been looked at.
            from = self.notifications.len();
            let message = self
                .receive(deadline, || "message the test waits for".to_string())
                .await?;
            self.take(message).await;
        }
    }

    pub async fn wait_after(
        &mut self,
        after: usize,
        pred: impl Fn(&Value) -> bool,
    ) -> (Value, usize) {
        self.try_wait_after(after, pred)
            .await
            .unwrap_or_else(|e| panic!("{e}; got {:?}", self.notifications))
    }

    /// The newest message seen so far that satisfies `pred`, or else the
    /// first new one that does.
    pub async fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(seen) = self.notifications.iter().rev().find(|m| pred(m)) {
            return seen.clone();
        }
        let after = self.notifications.len();
        self.wait_after(after, pred).await.0
    }

    /// Reads and files what the server sends for `pause`, as an editor
    /// does between two keystrokes.
    pub async fn read_for(&mut self, pause: Duration) {
        let until = Instant::now() + pause;
        while let Ok(Some(incoming)) = tokio::time::timeout_at(until, self.incoming.recv()).await {
            match incoming {
                Ok(message) => self.take(message).await,
                Err(malformed) => panic!("the server sent {malformed}"),
            }
        }
        // Closed early: the rest of the pause still passes.
        tokio::time::sleep_until(until).await;
    }

    /// Reads and files everything until the server closes its end.
    pub async fn drain(&mut self) {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self
                .receive(deadline, || "the end of the connection".to_string())
                .await
            {
                Ok(message) => self.take(message).await,
                Err(Error::Closed { .. }) => return,
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// The `params` of each request for `method` the server sent, in order.
    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        self.notifications
            .iter()
            .filter(|m| m.get("id").is_some() && m["method"] == method)
            .map(|m| m["params"].clone())
            .collect()
    }

    /// The guard, for the end of a session: every request got exactly one
    /// response and each was read, every request from the server was
    /// answered, every notification's method is in `expected`, and no
    /// `window/logMessage` is an error.
    pub fn assert_clean(&self, expected: &[&str]) {
        assert!(
            self.unread.is_empty(),
            "responses never read: {:?}",
            self.unread
        );
        let unanswered: Vec<String> = self
            .sent
            .iter()
            .filter(|(_, sent)| sent.responses != 1)
            .map(|(id, sent)| format!("{id} ({})", sent.method))
            .collect();
        assert!(
            unanswered.is_empty(),
            "requests without a response: {unanswered:?}"
        );
        if let Some(request) = self.unanswered.first() {
            panic!("a request the client did not advertise support for: {request}");
        }
        for message in self.notifications.iter().filter(|m| m.get("id").is_none()) {
            let method = message["method"].as_str().unwrap_or_default();
            assert!(
                expected.contains(&method),
                "an unexpected message from the server: {message}"
            );
            if method == "window/logMessage" {
                assert_ne!(
                    message["params"]["type"], 1,
                    "an error was logged: {message}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::AssertUnwindSafe;

    /// A client on a pipe to a fake server that answers each message the
    /// client sends with the messages `script` returns for it.
    fn session(script: impl Fn(&Value) -> Vec<Value> + Send + 'static) -> Client {
        let (client, theirs) = Client::pipe();
        tokio::spawn(async move {
            let (mut from, mut to) = tokio::io::split(theirs);
            let mut decoder = Decoder::default();
            let mut chunk = vec![0; 4096];
            while let Ok(read @ 1..) = from.read(&mut chunk).await {
                decoder.push(&chunk[..read]);
                while let Some(message) = decoder.next_message() {
                    for reply in script(&message.unwrap()) {
                        to.write_all(&frame::encode(&reply)).await.unwrap();
                    }
                }
            }
        });
        client
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn responses_notifications_and_server_requests() {
        run(async {
            let mut client = session(|m| match m["method"].as_str() {
                Some("ask") => vec![
                    json!({"jsonrpc": "2.0", "method": "note", "params": 1}),
                    json!({"jsonrpc": "2.0", "id": "s1", "method": "workspace/configuration",
                           "params": {"items": [{}, {}]}}),
                    json!({"jsonrpc": "2.0", "id": m["id"], "result": "answer"}),
                ],
                _ => vec![],
            });
            client.answer("workspace/configuration", Answer::PerItem(json!({"x": 1})));
            assert_eq!(client.result("ask", json!({})).await, json!("answer"));
            assert_eq!(client.notifications[0]["method"], "note");
            assert_eq!(
                client.server_requests("workspace/configuration"),
                vec![json!({"items": [{}, {}]})]
            );
            client.assert_clean(&["note"]);
            let (found, next) = client.wait_after(0, |m| m["method"] == "note").await;
            assert_eq!((found["params"].clone(), next), (json!(1), 1));
        });
    }

    #[test]
    fn the_reply_to_a_server_request_is_sent() {
        run(async {
            // The fake server echoes the client's reply to its request as
            // the result of the client's next request.
            let mut client = session(|m| match (m["method"].as_str(), m.get("id")) {
                (Some("first"), _) => vec![
                    json!({"jsonrpc": "2.0", "id": 7, "method": "workspace/configuration",
                           "params": {"items": [{}, {}]}}),
                    json!({"jsonrpc": "2.0", "id": m["id"], "result": null}),
                ],
                (None, Some(_)) => vec![json!({"jsonrpc": "2.0", "method": "echo", "params": m})],
                _ => vec![],
            });
            client.answer("workspace/configuration", Answer::PerItem(json!(true)));
            client.result("first", Value::Null).await;
            let echo = client.wait_for(|m| m["method"] == "echo").await;
            assert_eq!(
                echo["params"],
                json!({"jsonrpc": "2.0", "id": 7, "result": [true, true]})
            );
        });
    }

    #[test]
    fn the_guard_fails_on_what_was_not_answered_read_or_expected() {
        run(async {
            let mut client = session(|m| match m["method"].as_str() {
                Some("ask") => vec![
                    json!({"jsonrpc": "2.0", "id": 1, "method": "client/registerCapability"}),
                    json!({"jsonrpc": "2.0", "id": m["id"], "result": null}),
                ],
                Some("later") => vec![json!({"jsonrpc": "2.0", "method": "surprise"})],
                _ => vec![],
            });
            client.result("ask", Value::Null).await;
            let guard = |client: &Client| {
                std::panic::catch_unwind(AssertUnwindSafe(|| client.assert_clean(&[]))).is_err()
            };
            assert!(guard(&client), "an unanswered server request");
            client.unanswered.clear();
            assert!(!guard(&client));
            let id = client.send_request("later", Value::Null).await;
            client.timeout = Duration::from_millis(200);
            let waited = client.try_response(id).await;
            assert!(matches!(waited, Err(Error::Timeout { .. })), "{waited:?}");
            assert!(
                guard(&client),
                "no response, and an unexpected notification"
            );
        });
    }

    #[test]
    fn a_second_response_fails_at_once() {
        run(async {
            let mut client = session(|m| {
                let reply = json!({"jsonrpc": "2.0", "id": m["id"], "result": null});
                vec![reply.clone(), reply]
            });
            client.result("twice", Value::Null).await;
            let read = tokio::spawn(async move { client.drain().await });
            let error = read.await.expect_err("the second response panics");
            assert!(error.is_panic());
        });
    }
}
