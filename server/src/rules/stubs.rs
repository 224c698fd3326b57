//! Calls made on Durable Object stubs, resolved to the classes they reach.
//! Shared by the RPC and stub rules (`rpc-unknown-method`,
//! `rpc-on-legacy-class`, `stub-fetch-without-handler`,
//! `relative-stub-fetch-url`) and find-references.
//!
//! A stub call is a call whose receiver the semantic model evaluates to a
//! stub ([`Value::Stub`]): `env.X.getByName(n).m()`, a stub kept in a
//! variable, a field (`this.stub`), a parameter, a helper's return value
//! (also imported), a destructured binding (`const { X } = env`), a
//! `DurableObjectStub<Class>` annotation.
//!
//! A stub of a binding is looked up in every env of every Worker whose
//! `main` reaches the file, following `script_name` to the Worker that runs
//! the class. Anything unresolved makes the call unknown, and the rules stay
//! silent on unknown calls.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{DoBinding, EffectiveConfig};
use crate::files::FileId;
use crate::index::{Arg, ClassInfo, ImportKind, Visibility};
use crate::model::{ExportOrigin, Worker, Workspace};
use crate::rules::RuleCtx;
use crate::semantic::{Evaluator, Value};
use crate::text::TextRange;

use super::support::bound_class;

/// Handler names a stub refuses to call over RPC.
pub const RESERVED_METHODS: &[&str] = &[
    "alarm",
    "webSocketMessage",
    "webSocketClose",
    "webSocketError",
];

/// One call on a stub.
pub struct StubCall<'a> {
    pub file: FileId,
    pub call: StubSite<'a>,
    /// The member called: `m` in `stub.m()`.
    pub method: &'a str,
    /// The DO binding the stub comes from; `None` for a stub known only by
    /// its type (`DurableObjectStub<Room>`).
    pub binding: Option<String>,
    /// The envs of the calling Workers that declare the binding.
    pub caller_envs: Vec<&'a EffectiveConfig>,
    /// The classes the stub can reach, deduplicated; `None` when some env's
    /// binding could not be followed to a class declaration.
    pub classes: Option<Vec<(FileId, &'a ClassInfo)>>,
}

/// Where a stub call is written.
pub struct StubSite<'a> {
    /// The method name.
    pub name_range: TextRange,
    /// The whole call.
    pub range: TextRange,
    /// Its arguments as the index read them (empty when the index did not
    /// keep the call: only calls of interesting names are kept there).
    pub args: &'a [Arg],
}

/// Every stub call in the files the run checks. Found once per run (four
/// rules ask for them; find-references asks a run over everything, and
/// shares that with the rules of the same snapshot) and kept as indexes.
pub fn stub_calls<'a>(ws: &'a RuleCtx) -> Vec<StubCall<'a>> {
    let found = ws.memo(|| FoundStubCalls(find_stub_calls(ws)));
    found.0.iter().filter_map(|call| call.get(ws)).collect()
}

/// The memoised stub calls of a snapshot.
struct FoundStubCalls(Vec<FoundCall>);

/// A [`StubCall`] by indexes into the workspace.
struct FoundCall {
    file: FileId,
    /// Index into the file's semantic `calls`.
    call: usize,
    binding: Option<String>,
    resolved: Arc<ResolvedAt>,
}

/// What a binding reaches from the calling Workers: (Worker, env) indexes
/// of the envs that declare it, and (file, index in `classes`) of the
/// classes (see [`StubCall`]).
struct ResolvedAt {
    caller_envs: Vec<(usize, usize)>,
    classes: Option<Vec<(FileId, usize)>>,
}

impl FoundCall {
    fn get<'a>(&self, ws: &'a Workspace) -> Option<StubCall<'a>> {
        let summary = ws.summary(self.file)?;
        let call = summary.semantic.calls.get(self.call)?;
        // The index's record of the same call, for its arguments.
        let first = summary
            .calls
            .partition_point(|c| c.range.start < call.range.start);
        let args = summary.calls[first..]
            .iter()
            .take_while(|c| c.range.start == call.range.start)
            .find(|c| c.range == call.range && c.name_range == call.name_range)
            .map_or(&[][..], |c| c.args.as_slice());
        let caller_envs = self
            .resolved
            .caller_envs
            .iter()
            .map(|&(worker, env)| ws.workers.get(worker)?.envs.get(env))
            .collect::<Option<Vec<_>>>()?;
        let classes = match &self.resolved.classes {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|&(file, index)| Some((file, ws.summary(file)?.classes.get(index)?)))
                    .collect::<Option<Vec<_>>>()?,
            ),
        };
        Some(StubCall {
            file: self.file,
            call: StubSite {
                name_range: call.name_range,
                range: call.range,
                args,
            },
            method: &call.name,
            binding: self.binding.clone(),
            caller_envs,
            classes,
        })
    }
}

fn find_stub_calls(ws: &RuleCtx) -> Vec<FoundCall> {
    let eval = Evaluator::new(ws);
    let mut out = Vec::new();
    // Per set of calling Workers and binding: files reached by the same
    // Workers share the resolution.
    let mut resolved: HashMap<Vec<usize>, HashMap<crate::semantic::Name, Option<Arc<ResolvedAt>>>> =
        HashMap::new();
    for (file, summary) in ws.source_summaries() {
        // `workers_reaching`, by index.
        let callers: Vec<usize> = ws
            .reaching_indexes(file)
            .iter()
            .map(|&i| i as usize)
            .collect();
        if callers.is_empty() {
            continue;
        }
        let by_binding = resolved.entry(callers.clone()).or_default();
        for (call_index, call) in summary.semantic.calls.iter().enumerate() {
            let Some(receiver) = call.receiver.filter(|_| !call.is_new) else {
                continue;
            };
            if !summary.semantic.could_be_stub(receiver) {
                continue;
            }
            let Value::Stub { binding, class } = eval.receiver(file, call) else {
                continue;
            };
            let found = match (&binding, class) {
                (Some(binding), _) => match by_binding.get(binding) {
                    Some(found) => found.clone(),
                    None => {
                        let found = resolve(ws, binding, &callers).map(Arc::new);
                        by_binding.insert(binding.clone(), found.clone());
                        found
                    }
                },
                (None, Some(class)) => resolve_typed(ws, file, &class).map(Arc::new),
                (None, None) => None,
            };
            if let Some(resolved) = found {
                out.push(FoundCall {
                    file,
                    call: call_index,
                    binding: binding.map(|b| b.to_string()),
                    resolved,
                });
            }
        }
    }
    out
}

/// A stub typed `DurableObjectStub<Class>`: the class that name refers to
/// in `file`.
fn resolve_typed(ws: &Workspace, file: FileId, class: &str) -> Option<ResolvedAt> {
    let (class_file, info) = super::storage_support::resolve_class(ws, file, class)?;
    let index = ws
        .summary(class_file)?
        .classes
        .iter()
        .position(|c| std::ptr::eq(c, info))?;
    Some(ResolvedAt {
        caller_envs: Vec::new(),
        classes: Some(vec![(class_file, index)]),
    })
}

fn resolve(ws: &Workspace, binding: &str, callers: &[usize]) -> Option<ResolvedAt> {
    let mut caller_envs = Vec::new();
    let mut classes: Option<Vec<(FileId, &ClassInfo)>> = Some(Vec::new());
    for &worker_index in callers {
        let worker = &ws.workers[worker_index];
        for (env_index, env) in worker.envs.iter().enumerate() {
            let Some(entry) = env
                .do_bindings
                .iter()
                .find(|b| b.name.as_ref().is_some_and(|n| n.value == binding))
            else {
                continue;
            };
            caller_envs.push((worker_index, env_index));
            let found = entry.class_name.as_ref().and_then(|class_name| {
                let (host, host_env) = binding_host(ws, worker, env_index, entry);
                bound_class(ws, host?, host_env, &class_name.value)
            });
            match (found, classes.as_mut()) {
                (Some(found), Some(list)) => {
                    if !list
                        .iter()
                        .any(|(f, c)| *f == found.0 && c.range == found.1.range)
                    {
                        list.push(found);
                    }
                }
                _ => classes = None,
            }
        }
    }
    if caller_envs.is_empty() {
        return None; // not a DO binding here: another rule's business
    }
    // Classes by index in their file's summary.
    let classes = match classes {
        None => None,
        Some(list) => list
            .into_iter()
            .map(|(file, class)| {
                let index = ws
                    .summary(file)?
                    .classes
                    .iter()
                    .position(|c| std::ptr::eq(c, class))?;
                Some((file, index))
            })
            .collect::<Option<Vec<_>>>(),
    };
    Some(ResolvedAt {
        caller_envs,
        classes,
    })
}

/// The Worker (and its env index) that runs the class of a DO binding
/// declared in `worker`'s env `env_index`: the Worker itself, or the one
/// its `script_name` (and `environment`) names; `None` when unknown.
pub fn binding_host<'a>(
    ws: &'a Workspace,
    worker: &'a Worker,
    env_index: usize,
    binding: &DoBinding,
) -> (Option<&'a Worker>, usize) {
    match &binding.script_name {
        None => (Some(worker), env_index),
        Some(script) => {
            let host = ws.worker_by_script_name(worker, &script.value);
            let env = host
                .and_then(|h| {
                    let wanted = binding.environment.as_ref()?;
                    h.envs
                        .iter()
                        .position(|e| e.env.as_ref().is_some_and(|n| n.value == wanted.value))
                })
                .unwrap_or(0);
            (host, env)
        }
    }
}

/// What dols knows about the members of a class and its workspace bases.
pub struct Lineage<'a> {
    /// The class and its workspace base classes, nearest first.
    pub chain: Vec<(FileId, &'a ClassInfo)>,
    pub root: Root,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    /// The chain ends at `DurableObject` from `cloudflare:workers`.
    DurableObject,
    /// The chain ends at a class with no `extends`: the legacy shape.
    Plain,
}

/// The lineage of a class when every base is known: a workspace class,
/// `DurableObject` itself, or nothing. Library bases (`Agent`, `Server`),
/// mixins and anything unresolved give `None`.
pub fn lineage<'a>(ws: &'a Workspace, file: FileId, class: &'a ClassInfo) -> Option<Lineage<'a>> {
    let mut chain = vec![(file, class)];
    let (mut file, mut class) = (file, class);
    for _ in 0..8 {
        let Some(heritage) = &class.heritage else {
            return Some(Lineage {
                chain,
                root: Root::Plain,
            });
        };
        if !heritage.call_args.is_empty() {
            return None; // a mixin: its members are unknown
        }
        let summary = ws.summary(file)?;
        let root = heritage.root.as_deref()?;
        let import = summary.imports.iter().find(|i| match &i.kind {
            ImportKind::Named { local, .. }
            | ImportKind::Default { local }
            | ImportKind::Namespace { local } => local == root,
            _ => false,
        });
        let next = match import {
            Some(import) => {
                let imported = match &import.kind {
                    ImportKind::Named { imported, .. } => imported.as_str(),
                    ImportKind::Default { .. } => "default",
                    _ => "*",
                };
                if import.specifier.value == "cloudflare:workers" {
                    let is_base = match heritage.member.as_deref() {
                        None => imported == "DurableObject",
                        Some(member) => imported == "*" && member == "DurableObject",
                    };
                    return is_base.then_some(Lineage {
                        chain,
                        root: Root::DurableObject,
                    });
                }
                if heritage.member.is_some() {
                    return None;
                }
                let target = ws.resolve_import(file, &import.specifier.value)?;
                match ws.exports_of(target).get(imported)?.origin.clone() {
                    ExportOrigin::Class { file, name } => (file, name),
                    _ => return None,
                }
            }
            None if heritage.member.is_none() => (file, root.to_string()),
            None => return None,
        };
        let (next_file, next_name) = next;
        let next_class = ws
            .summary(next_file)?
            .classes
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == next_name))?;
        if chain
            .iter()
            .any(|(f, c)| *f == next_file && c.range == next_class.range)
        {
            return None; // a cycle
        }
        chain.push((next_file, next_class));
        (file, class) = (next_file, next_class);
    }
    None
}

/// How a lineage answers to a member name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// A public instance method (or function-valued property).
    Public,
    /// Only `private`/`protected` in TypeScript: erased at runtime, so the
    /// call goes through, but the type checker refuses it.
    NonPublic,
    /// Only a static method: not on the instance.
    Static,
    /// Some instance field of that name (value unknown).
    Field,
    /// Nowhere in the lineage.
    Missing,
}

impl Lineage<'_> {
    pub fn member(&self, name: &str) -> Member {
        let mut best = Member::Missing;
        for (_, class) in &self.chain {
            for method in class.methods.iter().filter(|m| m.name.value == name) {
                let kind = if method.is_static {
                    Member::Static
                } else if matches!(method.visibility, Visibility::Public) {
                    return Member::Public;
                } else if method.visibility == Visibility::EcmaPrivate {
                    continue;
                } else {
                    Member::NonPublic
                };
                if best == Member::Missing || kind == Member::NonPublic {
                    best = kind;
                }
            }
            if class
                .fields
                .iter()
                .any(|f| f.name.value == name && !f.is_static)
            {
                return Member::Field;
            }
        }
        best
    }

    /// Names of the public instance methods a stub may call.
    pub fn rpc_methods(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .chain
            .iter()
            .flat_map(|(_, c)| c.methods.iter())
            .filter(|m| {
                !m.is_static
                    && m.visibility == Visibility::Public
                    && m.name.value != "constructor"
                    && !RESERVED_METHODS.contains(&m.name.value.as_str())
            })
            .map(|m| m.name.value.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// True when `test(date, flags)` holds for every env; false when there
/// are none, or some env has no valid `YYYY-MM-DD` date (a template
/// placeholder, a typo): unknown means silent.
pub fn all_envs(envs: &[&EffectiveConfig], test: impl Fn(&str, &[String]) -> bool) -> bool {
    !envs.is_empty()
        && envs.iter().all(|env| {
            let Some(date) = &env.compatibility_date else {
                return false;
            };
            let valid = date.value.len() == 10
                && date.value.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !valid {
                return false;
            }
            let flags: Vec<String> = env
                .compatibility_flags
                .iter()
                .map(|f| f.value.clone())
                .collect();
            test(&date.value, &flags)
        })
}

/// True when RPC through stubs is off for every calling env: a
/// compatibility date before 2024-04-03 without the `rpc` flag, or the
/// `no_rpc` flag.
pub fn rpc_disabled(envs: &[&EffectiveConfig]) -> bool {
    all_envs(envs, |date, flags| {
        let has = |f: &str| flags.iter().any(|x| x == f);
        has("no_rpc") || (date < "2024-04-03" && !has("rpc"))
    })
}

/// The verdict on one RPC call (not `fetch`/`connect`), shared so that the
/// legacy rule and the unknown-method rule never both report one call.
pub enum RpcVerdict<'a> {
    /// Every reachable class has the legacy shape (no `extends`).
    LegacyClass(Vec<(FileId, &'a ClassInfo)>),
    /// RPC is off for the calling Worker (compatibility date / flags).
    RpcDisabled,
    /// A handler name the runtime refuses over RPC.
    Reserved,
    /// No reachable class defines the method; the suggestion, if any.
    Missing {
        classes: Vec<(FileId, &'a ClassInfo)>,
        static_only: bool,
        suggestion: Option<String>,
    },
    /// Fine, or unknown.
    Silent,
}

/// Names that are never RPC methods of a user class, whatever they do.
fn not_a_method_name(name: &str) -> bool {
    name.starts_with('[')
        || name.ends_with(')')
        || matches!(
            name,
            "fetch"
                | "connect"
                | "dup"
                | "then"
                | "catch"
                | "finally"
                | "id"
                | "name"
                | "toString"
                | "toJSON"
                | "valueOf"
                | "hasOwnProperty"
                | "isPrototypeOf"
                | "propertyIsEnumerable"
                | "toLocaleString"
                | "constructor"
        )
}

pub fn rpc_verdict<'a>(ws: &'a Workspace, call: &StubCall<'a>) -> RpcVerdict<'a> {
    if not_a_method_name(call.method) {
        return RpcVerdict::Silent;
    }
    let Some(classes) = &call.classes else {
        return RpcVerdict::Silent;
    };
    if classes.is_empty() {
        return RpcVerdict::Silent;
    }
    let lineages: Option<Vec<Lineage>> = classes
        .iter()
        .map(|(file, class)| lineage(ws, *file, class))
        .collect();
    if let Some(lineages) = &lineages {
        if lineages.iter().all(|l| l.root == Root::Plain) {
            return RpcVerdict::LegacyClass(classes.clone());
        }
    }
    if rpc_disabled(&call.caller_envs) {
        return RpcVerdict::RpcDisabled;
    }
    if RESERVED_METHODS.contains(&call.method) {
        return RpcVerdict::Reserved;
    }
    let Some(lineages) = lineages else {
        return RpcVerdict::Silent;
    };
    // A mix of legacy and modern classes across envs: unclear, stay silent.
    if lineages.iter().any(|l| l.root == Root::Plain) {
        return RpcVerdict::Silent;
    }
    let members: Vec<Member> = lineages.iter().map(|l| l.member(call.method)).collect();
    if !members
        .iter()
        .all(|m| matches!(m, Member::Missing | Member::Static))
    {
        return RpcVerdict::Silent;
    }
    let candidates: Vec<&str> = lineages.iter().flat_map(|l| l.rpc_methods()).collect();
    RpcVerdict::Missing {
        classes: classes.clone(),
        static_only: members.iter().all(|m| *m == Member::Static),
        suggestion: super::support::nearest(call.method, candidates).map(String::from),
    }
}

/// The class name to show in messages: one name, or `A`/`B`.
pub fn class_names(classes: &[(FileId, &ClassInfo)]) -> String {
    let mut names: Vec<&str> = classes
        .iter()
        .filter_map(|(_, c)| c.name.as_ref().map(|n| n.value.as_str()))
        .collect();
    names.dedup();
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" / ")
}
