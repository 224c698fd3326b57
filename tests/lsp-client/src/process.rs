//! The spawned-process front end: a server started as a child process,
//! spoken to over its stdin and stdout, with blocking methods.

use std::io::Read;
use std::ops::{Deref, DerefMut};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use crate::client::{read_blocking, Client, Error, Writer};

/// A language server in a child process and the [`Client`] talking to it.
///
/// The blocking methods run the client's async ones on a current-thread
/// runtime of its own (so a `Process` must not be used from inside an
/// async task); everything else of the client (its `notifications`,
/// `answer`, `assert_clean`, `timeout`, ...) is reached through `Deref`.
/// A thread reads the child's stdout, and one its stderr when the command
/// pipes it ([`Process::stderr`]). Dropping a `Process` kills a child that
/// is still running.
pub struct Process {
    client: Client,
    runtime: Runtime,
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Deref for Process {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Process {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl Process {
    /// Starts `command` with piped stdin and stdout. Its stderr is what
    /// the command says (inherited unless set); a piped stderr is
    /// collected for [`Process::stderr`].
    pub fn spawn(mut command: Command) -> std::io::Result<Process> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, incoming) = mpsc::unbounded_channel();
        std::thread::spawn(move || read_blocking(stdout, sender));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut from) = child.stderr.take() {
            let into = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut chunk = [0; 4096];
                while let Ok(read @ 1..) = from.read(&mut chunk) {
                    into.lock().unwrap().extend_from_slice(&chunk[..read]);
                }
            });
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()?;
        Ok(Process {
            client: Client::new(Writer::Blocking(Box::new(stdin)), incoming),
            runtime,
            child,
            stderr,
        })
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What the child wrote on a piped stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits up to `timeout` for the child to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    // ------------------------------------------ the client's calls, blocking

    pub fn send(&mut self, message: &Value) {
        self.runtime.block_on(self.client.send(message));
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.runtime.block_on(self.client.send_raw(bytes));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.runtime.block_on(self.client.notify(method, params));
    }

    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.runtime
            .block_on(self.client.send_request(method, params))
    }

    pub fn try_next_message(&mut self) -> Result<Option<Value>, Error> {
        self.runtime.block_on(self.client.try_next_message())
    }

    pub fn next_message(&mut self) -> Value {
        self.runtime.block_on(self.client.next_message())
    }

    pub fn try_response(&mut self, id: i64) -> Result<Value, Error> {
        self.runtime.block_on(self.client.try_response(id))
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.runtime.block_on(self.client.response(id))
    }

    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Error> {
        self.runtime
            .block_on(self.client.try_request(method, params))
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.runtime.block_on(self.client.request(method, params))
    }

    pub fn result(&mut self, method: &str, params: Value) -> Value {
        self.runtime.block_on(self.client.result(method, params))
    }

    pub fn try_wait_after(
        &mut self,
        after: usize,
        pred: impl Fn(&Value) -> bool,
    ) -> Result<(Value, usize), Error> {
        self.runtime
            .block_on(self.client.try_wait_after(after, pred))
    }

    pub fn wait_after(&mut self, after: usize, pred: impl Fn(&Value) -> bool) -> (Value, usize) {
        self.runtime.block_on(self.client.wait_after(after, pred))
    }

    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.runtime.block_on(self.client.wait_for(pred))
    }

    pub fn read_for(&mut self, pause: Duration) {
        self.runtime.block_on(self.client.read_for(pause));
    }

    pub fn drain(&mut self) {
        self.runtime.block_on(self.client.drain());
    }

    // ------------------------------------------------------------- endings

    /// `shutdown` (which must answer `null`), `exit`, then: the child
    /// exits 0 within 10 s, what it sent last is read, and
    /// [`Client::assert_clean`] with `expected`.
    pub fn finish(mut self, expected: &[&str]) {
        let result = self.result("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "the answer to shutdown");
        self.notify("exit", Value::Null);
        let status = self
            .wait_exit(Duration::from_secs(10))
            .expect("the server exits after shutdown and exit");
        assert!(status.success(), "the server exited with {status}");
        self.drain();
        self.assert_clean(expected);
    }

    /// `shutdown` and `exit` without checks, for harnesses that only need
    /// the server gone: a child still running 10 s later is killed.
    pub fn shutdown(mut self) -> Option<ExitStatus> {
        let _ = self.try_request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit(Duration::from_secs(10))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
