//! `duplicate-binding`: one binding name declared twice in one environment.

use std::collections::HashMap;

use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::BindingKind;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "duplicate-binding",
    severity: Severity::Error,
    summary: "The same binding name is declared twice in one environment.",
    docs: r#"
## What it finds
A binding name used twice in the same environment of a config, within one
binding kind (two Durable Object bindings named `ROOM`) or across kinds (a
KV namespace and a var both named `CACHE`). Each environment is checked on
its own, since bindings are not inherited.

## Why it matters
`env` has one property per name, so one binding would hide the other.
wrangler rejects the config ("X assigned to multiple Durable Object
bindings"), but only for the environment being deployed; mistakes in other
environments wait until someone deploys them.

## Example
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "ChatRoom"

[[kv_namespaces]]
binding = "ROOM"
id = "..."
```

## How to fix
Rename one of the bindings and update the code that reads it.
"#,
    prevents: &[
        "assigned to multiple Durable Object bindings",
        "assigned to Durable Object and KV Namespace bindings",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for env in &worker.envs {
            let mut first: HashMap<&str, &crate::config::Binding> = HashMap::new();
            // Secrets from `.dev.vars` legitimately shadow vars in local dev.
            for binding in env.bindings.iter().filter(|b| b.file == worker.config) {
                match first.get(binding.name.value.as_str()) {
                    None => {
                        first.insert(&binding.name.value, binding);
                    }
                    Some(earlier) => {
                        let what = if earlier.kind == binding.kind {
                            format!("a second {} binding", kind_word(&binding.kind))
                        } else {
                            format!(
                                "both a {} and a {}",
                                kind_word(&earlier.kind),
                                kind_word(&binding.kind)
                            )
                        };
                        out.report(
                            binding.file,
                            binding.name.range,
                            format!(
                                "binding name `{}` is used twice in this environment ({what})",
                                binding.name.value
                            ),
                        )
                        .with_related_mut(
                            earlier.file,
                            earlier.name.range,
                            "first declared here",
                        );
                    }
                }
            }
        }
    }
}

fn kind_word(kind: &BindingKind) -> String {
    kind.describe()
}
