//! Which classes are Durable Objects, and how we know.

use crate::files::FileId;
use crate::index::{ClassInfo, ImportKind};

use super::Workspace;

/// Base classes from libraries that are themselves Durable Objects.
const LIBRARY_BASES: &[(&str, &str)] = &[
    ("agents", "Agent"),
    ("agents", "AIChatAgent"),
    ("agents/ai-chat-agent", "AIChatAgent"),
    ("@cloudflare/ai-chat", "AIChatAgent"),
    ("agents/mcp", "McpAgent"),
    ("@cloudflare/think", "Think"),
    ("partyserver", "Server"),
    ("y-partyserver", "YServer"),
    ("@cloudflare/containers", "Container"),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DoKind {
    /// `extends DurableObject` from `cloudflare:workers` (also aliased, via a
    /// namespace import, or wrapped in a mixin call).
    Native,
    /// Extends another class of the workspace that is a Durable Object.
    Derived { base: String },
    /// Extends a known library base such as `Agent` or partyserver's `Server`.
    Library { package: String, base: String },
    /// No base class, but the old shape: `constructor(state, env)` and `fetch`.
    Legacy,
}

/// How `class` (declared in `file`) is a Durable Object, if it is one.
pub fn durable_object_kind(ws: &Workspace, file: FileId, class: &ClassInfo) -> Option<DoKind> {
    kind_at_depth(ws, file, class, 0)
}

fn kind_at_depth(ws: &Workspace, file: FileId, class: &ClassInfo, depth: u32) -> Option<DoKind> {
    let summary = ws.summary(file)?;
    let Some(heritage) = &class.heritage else {
        let legacy = class
            .constructor
            .as_ref()
            .is_some_and(|c| c.params.len() >= 2)
            && class
                .methods
                .iter()
                .any(|m| m.name.value == "fetch" && !m.is_static);
        return legacy.then_some(DoKind::Legacy);
    };
    let root = heritage.root.as_deref()?;
    let import_of = |local: &str| {
        summary
            .imports
            .iter()
            .find_map(|import| match &import.kind {
                ImportKind::Named { imported, local: l } if l == local => {
                    Some((import.specifier.value.as_str(), imported.as_str()))
                }
                ImportKind::Namespace { local: l } if l == local => {
                    Some((import.specifier.value.as_str(), "*"))
                }
                ImportKind::Default { local: l } if l == local => {
                    Some((import.specifier.value.as_str(), "default"))
                }
                _ => None,
            })
    };
    let is_runtime_base = |local: &str, member: Option<&str>| match import_of(local) {
        Some(("cloudflare:workers", "DurableObject")) => member.is_none(),
        Some(("cloudflare:workers", "*")) => member == Some("DurableObject"),
        _ => false,
    };
    if is_runtime_base(root, heritage.member.as_deref())
        || heritage
            .call_args
            .iter()
            .any(|arg| is_runtime_base(arg, None))
    {
        return Some(DoKind::Native);
    }
    let Some((specifier, imported)) = import_of(root) else {
        return derived_from(ws, file, root, depth);
    };
    if let Some(target) = ws.resolve_import(file, specifier) {
        // A base class from another file of the workspace.
        let origin = ws.exports_of(target).get(imported)?.origin.clone();
        let super::ExportOrigin::Class {
            file: base_file,
            name,
        } = origin
        else {
            return None;
        };
        return derived_from(ws, base_file, &name, depth);
    }
    LIBRARY_BASES
        .iter()
        .find(|(package, base)| *package == specifier && *base == imported)
        .map(|(package, base)| DoKind::Library {
            package: package.to_string(),
            base: base.to_string(),
        })
}

fn derived_from(ws: &Workspace, file: FileId, base: &str, depth: u32) -> Option<DoKind> {
    if depth >= 8 {
        return None; // a cycle or an absurd chain; stay silent
    }
    let class = ws
        .summary(file)?
        .classes
        .iter()
        .find(|c| c.name.as_ref().is_some_and(|n| n.value == base))?;
    kind_at_depth(ws, file, class, depth + 1)?;
    Some(DoKind::Derived {
        base: base.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::FileRole;
    use crate::index::language::SourceLanguage;
    use crate::model::InputFile;

    fn kinds(files: &[(&str, &str)]) -> Vec<(String, Option<DoKind>)> {
        let inputs = files
            .iter()
            .map(|(path, text)| InputFile {
                path: path.into(),
                role: FileRole::Source(SourceLanguage::TypeScript),
                text: (*text).into(),
            })
            .collect();
        let ws = Workspace::build(inputs);
        let mut out = Vec::new();
        for (id, _) in ws.files.iter() {
            for class in &ws.summary(id).unwrap().classes {
                let name = class.name.as_ref().unwrap().value.clone();
                out.push((name, durable_object_kind(&ws, id, class)));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    #[test]
    fn recognises_every_way_to_be_a_durable_object() {
        let found = kinds(&[
            (
                "/w/src/a.ts",
                r#"import { DurableObject as DO } from "cloudflare:workers";
import * as cf from "cloudflare:workers";
import { Agent } from "agents";
import { Base } from "./base";
export class Aliased extends DO<Env> {}
export class Namespaced extends cf.DurableObject {}
export class Chat extends Agent<Env> {}
export class Child extends Base {}
class Local extends Aliased {}
export class Old { constructor(state, env) {} async fetch(req) { return new Response(); } }
export class Plain { run() {} }
export class Mixed extends withLogging(DO) {}"#,
            ),
            (
                "/w/src/base.ts",
                r#"import { DurableObject } from "cloudflare:workers";
export class Base extends DurableObject {}"#,
            ),
        ]);
        let kind = |name: &str| found.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(kind("Aliased"), Some(DoKind::Native));
        assert_eq!(kind("Namespaced"), Some(DoKind::Native));
        assert_eq!(kind("Mixed"), Some(DoKind::Native));
        assert_eq!(kind("Base"), Some(DoKind::Native));
        assert_eq!(
            kind("Child"),
            Some(DoKind::Derived {
                base: "Base".into()
            })
        );
        assert_eq!(
            kind("Local"),
            Some(DoKind::Derived {
                base: "Aliased".into()
            })
        );
        assert_eq!(
            kind("Chat"),
            Some(DoKind::Library {
                package: "agents".into(),
                base: "Agent".into()
            })
        );
        assert_eq!(kind("Old"), Some(DoKind::Legacy));
        assert_eq!(kind("Plain"), None);
    }
}
