fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    dols::cli::main()
}

/// glibc gives each thread that allocates its own arena (up to 8 per
/// core). The server allocates a snapshot on one thread and frees it on
/// another after every keystroke, so memory freed into one arena is not
/// reused by the next allocation in another: the resident size of a long
/// editing session grew to several times the live data (240 MiB against
/// 57 MiB with one arena, in `dols-bench`). Two arenas keep the two cores
/// from queueing on one lock. Must run before any thread is started.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt takes no pointers; it only sets an allocator option.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
