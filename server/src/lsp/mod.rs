//! The language server front end (`dols lsp`): LSP over stdio with
//! tower-lsp-server. This layer translates between protocol types and the
//! engine's byte offsets; it holds no Durable Objects knowledge.

mod backend;
mod diagnostics;
mod document;
pub mod edits;
pub mod position;
mod refactors;
mod topology;
pub mod transport;

use std::process::ExitCode;

pub use backend::Backend;
use tower_lsp_server::{ClientSocket, LspService};

/// The service and its client socket, for serving over any transport
/// (stdio here; in-memory pipes in tests). Besides LSP it answers the
/// custom request `dols/topology` (params `{}`): the Workers, their
/// Durable Object bindings, classes and migrations as JSON (see
/// `topology.rs`).
pub fn new_service() -> (LspService<Backend>, ClientSocket) {
    LspService::build(Backend::new)
        .custom_method("dols/topology", Backend::topology)
        .custom_method("window/workDoneProgress/cancel", Backend::cancel_progress)
        .finish()
}

/// Serves LSP on stdin/stdout until the client sends `exit` (or closes
/// stdin). The exit status is 0 after a `shutdown` request and 1 without
/// one, as the protocol asks.
pub fn run_stdio() -> ExitCode {
    start_background_pool();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("dols: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let session = runtime.block_on(async {
        let (service, socket) = new_service();
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await
    });
    // The stdin reader may still wait on a blocking read: do not wait for it.
    runtime.shutdown_background();
    if session.shut_down {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The parallel parts of an analysis (summaries, rules) run on rayon's
/// pool; its threads get a lower priority than the runtime's, so a
/// completion or hover that arrives while the rules run is scheduled first
/// on a busy machine.
fn start_background_pool() {
    let built = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| lower_this_thread_priority())
        .build_global();
    if let Err(err) = built {
        eprintln!("dols: analysis threads keep the default priority: {err}");
    }
}

#[cfg(target_os = "linux")]
fn lower_this_thread_priority() {
    // On Linux a nice value belongs to a thread, and `who = 0` names the
    // calling one. Failing is harmless: the thread keeps its priority.
    // SAFETY: setpriority takes no pointers and only reads its arguments.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread_priority() {}
