//! `invalid-binding-name`: a binding name that `env.NAME` cannot reach.

use super::support::is_js_identifier;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::BindingKind;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "invalid-binding-name",
    severity: Severity::Error,
    summary: "A binding name is not a valid JavaScript identifier.",
    docs: r#"
## What it finds
A binding (Durable Object, KV, R2, D1, service, queue and the other binding
kinds) whose name is not a JavaScript identifier, such as `my-do` or
`2FA_STORE`. Vars and secrets are not checked: they are plain strings that
code often reads with `env["NAME"]`.

## Why it matters
wrangler accepts the name, but `env.my-do` parses as a subtraction, and
`wrangler types` produces a quoted property that editors handle poorly. Code
has to fall back to `env["my-do"]`, which type checks rarely catch when the
name changes.

## Example
```toml
[[durable_objects.bindings]]
name = "chat-room"
class_name = "ChatRoom"
```

## How to fix
Use letters, digits, `_` and `$`, not starting with a digit. By convention
binding names are UPPER_SNAKE_CASE: `CHAT_ROOM`.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for env in &worker.envs {
            for binding in &env.bindings {
                if binding.file != worker.config
                    || matches!(binding.kind, BindingKind::Var | BindingKind::Secret)
                {
                    continue;
                }
                // `unsafe` bindings name internal capabilities, not env properties.
                if matches!(&binding.kind, BindingKind::Other(key) if key.starts_with("unsafe")) {
                    continue;
                }
                if !is_js_identifier(&binding.name.value) {
                    let mut suggestion: String = binding
                        .name
                        .value
                        .chars()
                        .map(|c| {
                            if c.is_alphanumeric() || c == '_' || c == '$' {
                                c.to_ascii_uppercase()
                            } else {
                                '_'
                            }
                        })
                        .collect();
                    if suggestion.starts_with(|c: char| c.is_ascii_digit()) {
                        suggestion.insert(0, '_');
                    }
                    out.report(
                        binding.file,
                        binding.name.range,
                        format!(
                            "`{}` is not a JavaScript identifier, so `env.{}` cannot reach it; use a name like `{}`",
                            binding.name.value, binding.name.value, suggestion
                        ),
                    );
                }
            }
        }
    }
}
