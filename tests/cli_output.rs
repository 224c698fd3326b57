//! The listing commands never panic on a stdout they cannot write to.

use std::process::{Command, Stdio};

fn dols(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dols"));
    command.args(args);
    command
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    for args in [&["rules"][..], &["explain", "unknown-binding"][..]] {
        let mut child = dols(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dols");
        // Close the read end before dols writes (`dols rules | head -0`).
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait for dols");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{args:?}: {:?} {stderr}",
            output.status
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_full_device_is_reported_with_status_2() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not a Linux machine
    };
    for args in [&["rules"][..], &["explain", "unknown-binding"][..]] {
        let output = dols(args)
            .stdout(full.try_clone().expect("clone /dev/full"))
            .output()
            .expect("run dols");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to stdout"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
