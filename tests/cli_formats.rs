//! The CI outputs through the real binary: `dols check --format sarif` and
//! `--format github` snapshotted on two projects, the SARIF report checked
//! against the official SARIF 2.1.0 schema (`tests/data/`, a JSON Schema
//! draft-04 document) by a small validator below, and the GitHub Action in
//! `editors/github-action/` checked against the CLI and run on a project.
//! (`editors/npm/test.sh` validates the shipped binary's SARIF again with the
//! reference Python `jsonschema`, and parses `action.yml` with PyYAML.)

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn demo() -> PathBuf {
    repo().join("docs/demo")
}

/// Non-ASCII text before the findings (UTF-16 columns differ from
/// characters), a file name with a space, an error with a related location
/// and a fix, and a hint.
fn unicode_project() -> PathBuf {
    repo().join("tests/data/cli-formats/unicode")
}

fn dols(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dols"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

fn check(format: &str, project: &Path) -> (i32, String) {
    let (code, stdout, stderr) = dols(&["check", "--format", format, project.to_str().unwrap()]);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    (code, stdout)
}

/// Machine-specific parts replaced: the checkout's path and the version.
fn normalize(text: &str) -> String {
    let root = repo().to_string_lossy().to_string();
    text.replace(&root, "<REPO>").replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"<VERSION>\"",
    )
}

fn sarif_of(project: &Path) -> (i32, Value) {
    let (code, stdout) = check("sarif", project);
    (code, serde_json::from_str(&stdout).expect("SARIF is JSON"))
}

/// The log with each rule descriptor cut to its id, level and link (the
/// full texts are checked against the rule sources instead), for a
/// snapshot of reviewable size.
fn compact(mut log: Value) -> String {
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        let object = rule.as_object_mut().unwrap();
        object.retain(|key, _| matches!(key.as_str(), "id" | "defaultConfiguration" | "helpUri"));
    }
    normalize(&serde_json::to_string_pretty(&log).unwrap())
}

#[test]
fn sarif_snapshots() {
    let (code, log) = sarif_of(&demo());
    assert_eq!(code, 1);
    insta::assert_snapshot!("sarif_demo", compact(log));
    let (code, log) = sarif_of(&unicode_project());
    assert_eq!(code, 1);
    insta::assert_snapshot!("sarif_unicode", compact(log));
}

#[test]
fn github_snapshots() {
    let (code, text) = check("github", &demo());
    assert_eq!(code, 1);
    insta::assert_snapshot!("github_demo", normalize(&text));
    let (code, text) = check("github", &unicode_project());
    assert_eq!(code, 1);
    insta::assert_snapshot!("github_unicode", normalize(&text));
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(!line.contains('\r'));
    }
}

#[test]
fn sarif_describes_every_rule_and_links_results_to_them() {
    let (_, log) = sarif_of(&unicode_project());
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), dols::rules::ALL.len());
    for (descriptor, rule) in rules.iter().zip(dols::rules::ALL) {
        assert_eq!(descriptor["id"], rule.id);
        assert_eq!(descriptor["shortDescription"]["text"], rule.summary);
        assert_eq!(descriptor["helpUri"], dols::rules::doc_url(rule.id));
        assert_eq!(
            descriptor["help"]["markdown"],
            dols::rules::render_doc_page(rule)
        );
        let full = descriptor["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.is_empty() && !full.contains("## "), "{}", rule.id);
    }
    let root = format!(
        "file://{}/",
        unicode_project().to_string_lossy().replace(' ', "%20")
    );
    assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], root.as_str());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(result["ruleId"], rules[index]["id"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    }
    // `COUNTR` after `"😀 é"; const stub = env.`: 42 characters, 43 UTF-16 units before it.
    let binding = &results[0];
    assert_eq!(binding["ruleId"], "unknown-binding");
    assert_eq!(
        binding["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 5, "startColumn": 44, "endLine": 5, "endColumn": 50})
    );
    let replacement = &binding["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        replacement["deletedRegion"],
        binding["locations"][0]["physicalLocation"]["region"]
    );
    assert_eq!(replacement["insertedContent"]["text"], "COUNTER");
    // The hint is a note, in the file whose name has a space.
    let hint = &results[1];
    assert_eq!(
        (hint["ruleId"].as_str(), hint["level"].as_str()),
        (Some("storage-await-in-loop"), Some("note"))
    );
    assert_eq!(
        hint["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/my%20counter.ts"
    );
}

#[test]
fn sarif_region_columns_are_utf16_code_units() {
    // Recompute every region of the report from the files themselves.
    let project = unicode_project();
    let (_, log) = sarif_of(&project);
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .replace("%20", " ");
        let text = std::fs::read_to_string(project.join(uri)).unwrap();
        let region = &location["region"];
        let line = text
            .lines()
            .nth(region["startLine"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let units: Vec<u16> = line.encode_utf16().collect();
        let start = region["startColumn"].as_u64().unwrap() as usize - 1;
        let end = region["endColumn"].as_u64().unwrap() as usize - 1;
        let marked = String::from_utf16(&units[start..end]).unwrap();
        let expected = match result["ruleId"].as_str().unwrap() {
            "unknown-binding" => "COUNTR",
            "storage-await-in-loop" => "get",
            "class-not-exported" => "\"Counter\"",
            other => panic!("unexpected {other}"),
        };
        assert_eq!(marked, expected);
    }
}

// ---------------------------------------------------------------------------
// SARIF 2.1.0 schema validation.

fn schema() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A JSON Schema draft-04 validator for the keywords the SARIF schema uses.
/// A keyword it does not know, or cannot check (`pattern`, formats other
/// than URIs), is an error when it applies to a value, never a silent pass.
struct Validator {
    root: Value,
}

impl Validator {
    fn errors(&self, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(&self.root, value, "$", &mut errors);
        errors
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"))
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(schema) = schema.as_object() else {
            errors.push(format!("{at}: schema is not an object"));
            return;
        };
        if let Some(reference) = schema.get("$ref") {
            // Draft-04: `$ref` replaces its schema object.
            self.check(self.resolve(reference.as_str().unwrap()), value, at, errors);
            return;
        }
        for (keyword, argument) in schema {
            match keyword.as_str() {
                "description" | "title" | "default" | "id" | "$schema" | "definitions" => {}
                "type" => {
                    let types: Vec<&str> = match argument {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                        _ => panic!("bad type at {at}"),
                    };
                    if !types.iter().any(|t| has_type(value, t)) {
                        errors.push(format!("{at}: expected {types:?}, got {value}"));
                    }
                }
                "enum" => {
                    if !argument.as_array().unwrap().contains(value) {
                        errors.push(format!("{at}: {value} is not one of {argument}"));
                    }
                }
                "properties" => {
                    if let Some(object) = value.as_object() {
                        for (name, sub) in argument.as_object().unwrap() {
                            if let Some(v) = object.get(name) {
                                self.check(sub, v, &format!("{at}.{name}"), errors);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    let Some(object) = value.as_object() else {
                        continue;
                    };
                    let declared = schema.get("properties").and_then(Value::as_object);
                    for (name, v) in object {
                        if declared.is_some_and(|d| d.contains_key(name)) {
                            continue;
                        }
                        match argument {
                            Value::Bool(false) => {
                                errors.push(format!("{at}: property `{name}` is not allowed"))
                            }
                            Value::Bool(true) => {}
                            sub => self.check(sub, v, &format!("{at}.{name}"), errors),
                        }
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in argument.as_array().unwrap() {
                            if !object.contains_key(name.as_str().unwrap()) {
                                errors.push(format!("{at}: `{name}` is required"));
                            }
                        }
                    }
                }
                "items" => {
                    if let Some(items) = value.as_array() {
                        for (i, item) in items.iter().enumerate() {
                            self.check(argument, item, &format!("{at}[{i}]"), errors);
                        }
                    }
                }
                "minItems" => {
                    if let Some(items) = value.as_array() {
                        if (items.len() as u64) < argument.as_u64().unwrap() {
                            errors.push(format!("{at}: fewer than {argument} items"));
                        }
                    }
                }
                "uniqueItems" => {
                    if let (Some(items), Some(true)) = (value.as_array(), argument.as_bool()) {
                        for (i, item) in items.iter().enumerate() {
                            if items[..i].contains(item) {
                                errors.push(format!("{at}[{i}]: duplicate item"));
                            }
                        }
                    }
                }
                "minimum" => {
                    if let Some(n) = value.as_f64() {
                        if n < argument.as_f64().unwrap() {
                            errors.push(format!("{at}: {n} is less than {argument}"));
                        }
                    }
                }
                "anyOf" => {
                    let fits = argument.as_array().unwrap().iter().any(|sub| {
                        let mut sub_errors = Vec::new();
                        self.check(sub, value, at, &mut sub_errors);
                        sub_errors.is_empty()
                    });
                    if !fits {
                        errors.push(format!("{at}: matches none of anyOf {argument}"));
                    }
                }
                "format" => {
                    let Some(text) = value.as_str() else {
                        continue;
                    };
                    match argument.as_str().unwrap() {
                        "uri" if !is_uri(text, true) => {
                            errors.push(format!("{at}: `{text}` is not a URI"))
                        }
                        "uri-reference" if !is_uri(text, false) => {
                            errors.push(format!("{at}: `{text}` is not a URI reference"))
                        }
                        "uri" | "uri-reference" => {}
                        other => errors.push(format!("{at}: cannot check format {other}")),
                    }
                }
                other => errors.push(format!("{at}: cannot check keyword `{other}`")),
            }
        }
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown type {other}"),
    }
}

/// RFC 3986 characters only, `%` followed by two hex digits, and (for an
/// absolute URI) a scheme.
fn is_uri(text: &str, absolute: bool) -> bool {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
        let escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if !allowed && !escape {
            return false;
        }
    }
    if !absolute {
        return true;
    }
    match text.find(':') {
        Some(colon) if colon > 0 => {
            let scheme = &text[..colon];
            scheme.as_bytes()[0].is_ascii_alphabetic()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        }
        _ => false,
    }
}

#[test]
fn sarif_reports_are_valid_against_the_schema() {
    let validator = Validator { root: schema() };
    for project in [demo(), unicode_project()] {
        let (_, log) = sarif_of(&project);
        let errors = validator.errors(&log);
        assert!(errors.is_empty(), "{}: {errors:#?}", project.display());
    }
    // A clean project: no results, still a full rule catalogue.
    let clean = repo().join("tests/fixtures/class-not-exported/clean");
    let (code, log) = sarif_of(&clean);
    assert_eq!(code, 0);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(validator.errors(&log), Vec::<String>::new());
}

#[test]
fn the_schema_validator_rejects_broken_reports() {
    let validator = Validator { root: schema() };
    let (_, log) = sarif_of(&unicode_project());
    assert!(validator.errors(&log).is_empty());
    type Break = fn(&mut Value);
    let breaks: &[(&str, Break)] = &[
        ("hint is no SARIF level", |log| {
            log["runs"][0]["results"][1]["level"] = "hint".into()
        }),
        ("lines start at 1", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                ["startLine"] = 0.into()
        }),
        ("unknown property", |log| {
            log["runs"][0]["results"][0]["severity"] = "error".into()
        }),
        ("message needs text", |log| {
            log["runs"][0]["results"][0]["message"] = serde_json::json!({})
        }),
        ("version is 2.1.0", |log| log["version"] = "2.1".into()),
        ("driver needs a name", |log| {
            log["runs"][0]["tool"]["driver"]
                .as_object_mut()
                .unwrap()
                .remove("name");
        }),
        ("columnKind enum", |log| {
            log["runs"][0]["columnKind"] = "bytes".into()
        }),
        ("helpUri is a URI", |log| {
            log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/rules/x.md".into()
        }),
        ("artifact URI has no spaces", |log| {
            log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] = "src/my counter.ts".into()
        }),
        ("ruleIndex is not negative", |log| {
            log["runs"][0]["results"][0]["ruleIndex"] = (-2).into()
        }),
        ("replacements are not empty", |log| {
            log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"] =
                serde_json::json!([])
        }),
    ];
    for (what, break_it) in breaks {
        let mut broken = log.clone();
        break_it(&mut broken);
        assert!(
            !validator.errors(&broken).is_empty(),
            "the validator accepted a report where {what}"
        );
    }
}

// ---------------------------------------------------------------------------
// The GitHub Action (editors/github-action).

fn action_dir() -> PathBuf {
    repo().join("editors/github-action")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The keys of a top-level mapping of action.yml (`inputs:`, `outputs:`):
/// the lines indented by two spaces up to the next top-level key.
fn top_level_keys(yaml: &str, section: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix("  ") {
                if !rest.starts_with(' ') && !rest.starts_with('#') {
                    if let Some(key) = rest.trim_end().strip_suffix(':') {
                        keys.push(key.to_string());
                    }
                }
            }
        }
    }
    keys
}

/// Every `<prefix><name>` in `text`, where a name is `[A-Za-z0-9_-]+`
/// (and `.`, for file names).
fn names_after(text: &str, prefix: &str) -> Vec<String> {
    let file_names = prefix.ends_with('/');
    text.match_indices(prefix)
        .map(|(i, _)| {
            text[i + prefix.len()..]
                .chars()
                .take_while(|c| {
                    c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || (file_names && *c == '.')
                })
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn action_inputs_scripts_and_steps_fit_together() {
    let yaml = read(&action_dir().join("action.yml"));
    let inputs = top_level_keys(&yaml, "inputs");
    assert_eq!(
        inputs,
        [
            "version",
            "paths",
            "args",
            "upload",
            "annotations",
            "sarif-file",
            "install",
            "tarball-url",
            "tarball-sha256"
        ]
    );
    let used = names_after(&yaml, "inputs.");
    for name in &used {
        assert!(
            inputs.contains(name),
            "action.yml uses undeclared input `{name}`"
        );
    }
    for name in &inputs {
        assert!(used.contains(name), "input `{name}` is declared but unused");
    }
    // Every step output the action reads is one check.sh writes.
    let check_sh = read(&action_dir().join("check.sh"));
    for output in names_after(&yaml, "steps.check.outputs.") {
        assert!(
            check_sh.contains(&format!("echo \"{output}=")),
            "check.sh does not write the output `{output}`"
        );
    }
    // Scripts the steps run exist, and get the variables they read.
    let scripts = names_after(&yaml, "$GITHUB_ACTION_PATH/");
    assert_eq!(scripts, ["install.sh", "check.sh"]);
    for script in &scripts {
        let text = read(&action_dir().join(script));
        for variable in names_after(&text, "${DOLS_") {
            assert!(
                yaml.contains(&format!("DOLS_{variable}: ${{{{ inputs.")),
                "{script} reads DOLS_{variable}, which action.yml does not set"
            );
        }
    }
    assert!(yaml.contains("using: composite"));
    assert!(yaml.contains("uses: github/codeql-action/upload-sarif@v3"));
    assert!(yaml.contains("sarif_file: ${{ steps.check.outputs.sarif-file }}"));
    // Every `run:` step names its shell, as composite actions require.
    let steps = yaml.split("\n    - name: ").skip(1);
    for step in steps {
        if step.contains("\n      run: ") {
            assert!(
                step.contains("\n      shell: bash"),
                "step without shell: {step}"
            );
        }
    }
}

#[test]
fn the_action_passes_only_flags_dols_check_accepts() {
    let (code, help, _) = dols(&["check", "--help"]);
    assert_eq!(code, 0);
    let check_sh = read(&action_dir().join("check.sh"));
    let mut seen = 0;
    for line in check_sh.lines().filter(|l| l.contains("\"$dols\" check")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            if word.starts_with("--") && *word != "--" {
                assert!(help.contains(word), "`dols check --help` lacks {word}");
                seen += 1;
            }
            if *word == "--format" {
                let format = words[i + 1];
                let (code, _, stderr) = dols(&[
                    "check",
                    "--format",
                    format,
                    unicode_project().to_str().unwrap(),
                ]);
                assert_eq!(code, 1, "--format {format}: {stderr}");
            }
        }
    }
    assert!(seen >= 4, "found only {seen} flags in check.sh");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// Runs the action's check step (check.sh) as the runner would, with the
/// built binary, on a repository whose Worker lives in a subfolder.
fn run_check_step(paths: &str, upload: &str, annotations: &str) -> (String, String, PathBuf) {
    let workspace = tempfile::tempdir().unwrap().keep();
    copy_dir(&unicode_project(), &workspace.join("workers/app"));
    copy_dir(
        &repo().join("tests/fixtures/class-not-exported/clean"),
        &workspace.join("workers/clean"),
    );
    let github_output = workspace.join("github-output");
    let output = Command::new("bash")
        .arg(action_dir().join("check.sh"))
        .current_dir(&workspace)
        .env("DOLS", env!("CARGO_BIN_EXE_dols"))
        .env("GITHUB_WORKSPACE", &workspace)
        .env("GITHUB_OUTPUT", &github_output)
        .env("DOLS_PATHS", paths)
        .env("DOLS_ARGS", "--deny-warnings")
        .env("DOLS_UPLOAD", upload)
        .env("DOLS_ANNOTATIONS", annotations)
        .env("DOLS_SARIF", "dols.sarif")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "check.sh itself failed");
    (
        String::from_utf8_lossy(&output.stdout).to_string(),
        std::fs::read_to_string(&github_output).unwrap(),
        workspace,
    )
}

#[test]
fn the_action_check_step_reports_uploads_and_annotates() {
    let (stdout, outputs, workspace) = run_check_step("workers/app", "true", "true");
    assert_eq!(outputs, "exit-code=1\nsarif-file=dols.sarif\n");
    // The human report for the log, then the annotations.
    assert!(stdout.contains("error[unknown-binding]"), "{stdout}");
    let annotation = format!(
        "::error file={}/workers/app/src/index.ts,line=5,col=44,endLine=5,endColumn=50,title=unknown-binding::",
        workspace.display()
    );
    assert!(stdout.contains(&annotation), "{stdout}");
    // SARIF paths are relative to the repository, not to the checked folder.
    let log: Value =
        serde_json::from_str(&read(&workspace.join("dols.sarif"))).expect("SARIF written");
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "workers/app/src/index.ts");
    std::fs::remove_dir_all(&workspace).unwrap();

    let (stdout, outputs, workspace) = run_check_step("workers/clean", "false", "false");
    assert_eq!(outputs, "exit-code=0\nsarif-file=\n");
    assert!(!workspace.join("dols.sarif").exists());
    assert!(!stdout.contains("::"), "{stdout}");
    std::fs::remove_dir_all(&workspace).unwrap();
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out/report.sarif");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let (code, stdout, _) = dols(&[
        "check",
        "--format",
        "sarif",
        "--output",
        file.to_str().unwrap(),
        demo().to_str().unwrap(),
    ]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    let written: Value = serde_json::from_str(&read(&file)).unwrap();
    assert_eq!(written["version"], "2.1.0");
    // An unwritable destination (below a file) is an internal error (2),
    // not a finding.
    let (code, _, stderr) = dols(&[
        "check",
        "--output",
        file.join("x").to_str().unwrap(),
        demo().to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
}
