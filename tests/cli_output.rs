//! The listing commands never panic on a stdout they cannot write to, and
//! `dols check` refuses what it must not walk.

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

/// `dols check /` and `dols check ~` are refused at once (exit 2, a reason,
/// nothing walked) instead of indexing the whole disk.
#[test]
fn the_file_system_root_and_the_home_folder_are_refused() {
    let home = tempfile::tempdir().expect("a home folder");
    for (path, what) in [
        ("/".to_string(), "root of the file system"),
        (home.path().display().to_string(), "home folder"),
    ] {
        let output = dols(&["check", &path])
            .env("HOME", home.path())
            .output()
            .expect("run dols");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.contains(what), "{path}: {stderr}");
    }
    // A project folder inside the home folder is checked as usual.
    let project = home.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("wrangler.toml"), "name = \"app\"\n").unwrap();
    let output = dols(&["check", project.to_str().unwrap()])
        .env("HOME", home.path())
        .output()
        .expect("run dols");
    assert_ne!(output.status.code(), Some(2), "{output:?}");
}

/// An `exclude` pattern that is not a valid glob stops the run with the
/// reason (before, it was dropped and said only with -v).
#[test]
fn an_invalid_exclude_pattern_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wrangler.toml"), "name = \"app\"\n").unwrap();
    std::fs::write(
        dir.path().join("dols.toml"),
        "[files]\nexclude = [\"src/[a\"]\n",
    )
    .unwrap();
    let output = dols(&["check", dir.path().to_str().unwrap()])
        .output()
        .expect("run dols");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid `exclude` pattern `src/[a`"),
        "{stderr}"
    );
}

/// `dols check apps/chat` in a monorepo reads what the chat Worker imports
/// from outside its folder (a shared package, by a relative path), and
/// reports the findings there, but reads nothing else of the monorepo.
#[test]
fn a_worker_checked_alone_brings_its_imports_from_outside_the_folder() {
    let repo = tempfile::tempdir().expect("a monorepo");
    let root = repo.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let config = |name: &str| {
        format!(
            "name = \"{name}\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-04-01\"\n\
             [[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\n\
             [[migrations]]\ntag = \"v1\"\nnew_classes = [\"Room\"]\n"
        )
    };
    write("apps/chat/wrangler.toml", &config("chat"));
    write(
        "apps/chat/src/index.ts",
        "export { Room } from \"../../../packages/rooms/src/index\";\n\
         export default { async fetch(req: Request, env: Env) { return env.ROOM.getByName(\"a\").fetch(req); } };\n",
    );
    // Two hops out of the folder: index re-exports room.
    write(
        "packages/rooms/src/index.ts",
        "export { Room } from \"./room.js\";\n",
    );
    write(
        "packages/rooms/src/room.ts",
        "import { DurableObject } from \"cloudflare:workers\";\n\
         export class Room extends DurableObject {\n\
           async fetch(req: Request) { this.ctx.storage.sql.exec(\"SELECT 1\"); return new Response(\"ok\"); }\n\
         }\n",
    );
    // A file of the package that nothing imports, and another Worker.
    write("packages/rooms/src/unused.ts", "export const unused = 1;\n");
    write("apps/other/wrangler.toml", &config("other"));
    write("apps/other/src/index.ts", "export default {};\n");

    let output = dols(&["check", "--format", "json"])
        .arg(root.join("apps/chat"))
        .output()
        .expect("run dols");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let findings = report["diagnostics"].as_array().expect("diagnostics");
    let in_room: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|d| {
            d["path"]
                .as_str()
                .is_some_and(|f| f.ends_with("packages/rooms/src/room.ts"))
        })
        .collect();
    assert!(
        in_room.iter().any(|d| d["code"] == "sql-on-kv-backend"),
        "{stdout}"
    );
    assert!(
        !findings.iter().any(|d| d["code"] == "class-not-exported"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("unused.ts") && !stdout.contains("apps/other"),
        "{stdout}"
    );
    // chat's config, its main, the package's index and room.
    assert_eq!(report["summary"]["files"], 4, "{stdout}");
}

/// `dols check apps/chat` follows `export { Room } from "@acme/rooms"` to
/// the workspace package's source (its `exports` name built output, mapped
/// back to `src/`), whether the monorepo declares its packages (npm
/// `workspaces`, pnpm-workspace.yaml) or only a package manager's
/// `node_modules` link leads there; nothing else of the monorepo is read.
#[test]
fn a_worker_checked_alone_brings_the_workspace_packages_it_imports() {
    let layouts: &[&str] = if cfg!(unix) {
        &["npm", "pnpm", "linked"]
    } else {
        &["npm", "pnpm"]
    };
    for &layout in layouts {
        let repo = tempfile::tempdir().expect("a monorepo");
        let root = repo.path();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        match layout {
            "npm" => write(
                "package.json",
                r#"{ "name": "acme", "private": true, "workspaces": ["apps/*", "packages/*", "!packages/ignored"] }"#,
            ),
            "pnpm" => write(
                "pnpm-workspace.yaml",
                "# the packages\npackages:\n  - 'apps/*'\n  - \"packages/**\" # all of them\ncatalog:\n  hono: ^4\n",
            ),
            _ => {
                std::fs::create_dir_all(root.join("apps/chat/node_modules/@acme")).unwrap();
                #[cfg(unix)]
                std::os::unix::fs::symlink(
                    root.join("packages/rooms"),
                    root.join("apps/chat/node_modules/@acme/rooms"),
                )
                .unwrap();
            }
        }
        write(
            "apps/chat/wrangler.toml",
            "name = \"chat\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-04-01\"\n\
             [[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\n\
             [[migrations]]\ntag = \"v1\"\nnew_classes = [\"Room\"]\n",
        );
        write(
            "apps/chat/src/index.ts",
            "export { Room } from \"@acme/rooms\";\nimport { Hono } from \"hono\";\n\
             export default { async fetch(req: Request, env: Env) { return env.ROOM.getByName(\"a\").fetch(req); } };\n",
        );
        write(
            "packages/rooms/package.json",
            r#"{ "name": "@acme/rooms", "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js" } } }"#,
        );
        write(
            "packages/rooms/src/index.ts",
            "export { Room } from \"./room.js\";\n",
        );
        write(
            "packages/rooms/src/room.ts",
            "import { DurableObject } from \"cloudflare:workers\";\n\
             export class Room extends DurableObject {\n\
               async fetch(req: Request) { this.ctx.storage.sql.exec(\"SELECT 1\"); return new Response(\"ok\"); }\n\
             }\n",
        );
        // Another package and its unread source.
        write(
            "packages/other/package.json",
            r#"{ "name": "@acme/other" }"#,
        );
        write("packages/other/index.ts", "export const other = 1;\n");

        let output = dols(&["check", "--format", "json"])
            .arg(root.join("apps/chat"))
            .output()
            .expect("run dols");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
        let findings = report["diagnostics"].as_array().expect("diagnostics");
        assert!(
            findings.iter().any(|d| d["code"] == "sql-on-kv-backend"
                && d["path"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("packages/rooms/src/room.ts"))),
            "{layout}: {stdout}"
        );
        assert!(
            !findings.iter().any(|d| d["code"] == "class-not-exported"),
            "{layout}: {stdout}"
        );
        assert!(!stdout.contains("packages/other"), "{layout}: {stdout}");
        // chat's config and main, the package's package.json, index and room.
        assert_eq!(report["summary"]["files"], 5, "{layout}: {stdout}");
    }
}
