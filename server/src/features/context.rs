//! What the text around a cursor means: the member-access chain before a dot,
//! the DO API type it resolves to, the Workers a file belongs to, and the DO
//! bindings they declare. Shared by completion, hover and navigation.
//!
//! The chain before the cursor is read from the raw text with byte offsets,
//! so it copes with half-typed code and never slices off a char boundary;
//! what a name in it holds is asked of the snapshot's semantic model first.

use crate::config::{DoBinding, EffectiveConfig};
use crate::files::FileId;
use crate::index::ClassInfo;
use crate::model::migrations::LiveClass;
use crate::model::{durable_object_kind, Backend, Worker, Workspace};
use crate::rules::support::{agreed_backend, bound_class, env_replays, workers_reaching};
use crate::semantic::{EnvKind, Evaluator, Value};
use crate::text::TextRange;

/// Names of the knowledge interfaces the features resolve to.
pub const STATE: &str = "DurableObjectState";
pub const STORAGE: &str = "DurableObjectStorage";
pub const SQL: &str = "SqlStorage";
pub const CURSOR: &str = "SqlStorageCursor";
pub const SYNC_KV: &str = "SyncKvStorage";
pub const NAMESPACE: &str = "DurableObjectNamespace";
pub const STUB: &str = "DurableObjectStub";
pub const ID: &str = "DurableObjectId";
pub const WEBSOCKET: &str = "WebSocket";

/// Handler methods a stub never exposes over RPC, whether or not the
/// knowledge base lists them.
pub const HANDLER_NAMES: &[&str] = &[
    "fetch",
    "alarm",
    "connect",
    "webSocketMessage",
    "webSocketClose",
    "webSocketError",
];

/// `offset` moved into the text and back onto a char boundary.
pub fn clamp(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// True for bytes that can be part of a JS identifier; any non-ASCII byte
/// counts, so multi-byte characters are consumed whole.
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Start of the identifier that ends at `end`.
pub fn ident_start(text: &str, end: usize) -> usize {
    let b = text.as_bytes();
    let mut i = end;
    while i > 0 && is_ident_byte(b[i - 1]) {
        i -= 1;
    }
    i
}

/// The identifier under (or just before) the cursor.
pub fn ident_at(text: &str, offset: usize) -> Option<TextRange> {
    let offset = clamp(text, offset);
    let b = text.as_bytes();
    let start = ident_start(text, offset);
    let mut end = offset;
    while end < b.len() && is_ident_byte(b[end]) {
        end += 1;
    }
    (start < end && !b[start].is_ascii_digit()).then(|| TextRange::new(start, end))
}

fn skip_ws_back(b: &[u8], mut i: usize) -> usize {
    while i > 0 && b[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

/// Index of the bracket opening the one closing at `close`, skipping strings.
fn match_back(b: &[u8], close: usize, open_ch: u8, close_ch: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = close + 1;
    let floor = close.saturating_sub(8192);
    while i > floor {
        i -= 1;
        let c = b[i];
        if c == close_ch {
            depth += 1;
        } else if c == open_ch {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        } else if c == b'"' || c == b'\'' || c == b'`' {
            // Skip back to the opening quote.
            loop {
                if i == 0 {
                    return None;
                }
                i -= 1;
                if b[i] == c && (i == 0 || b[i - 1] != b'\\') {
                    break;
                }
            }
        }
    }
    None
}

/// One step of a member-access chain: `env`, `X`, `getByName(...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    pub call: bool,
    pub range: TextRange,
}

/// The member-access chain ending at `end` (just after its last segment),
/// e.g. `this.env.X.getByName("a")` → `this`, `env`, `X`, `getByName()`.
/// Stops at anything that is not a plain chain; `None` when the expression
/// before `end` is not a chain at all.
pub fn chain_before(text: &str, end: usize) -> Option<Vec<Segment>> {
    let b = text.as_bytes();
    let mut i = clamp(text, end);
    let mut segments = Vec::new();
    loop {
        i = skip_ws_back(b, i);
        if i > 0 && b[i - 1] == b'!' {
            i -= 1; // non-null assertion
        }
        let mut call = false;
        if i > 0 && b[i - 1] == b')' {
            i = match_back(b, i - 1, b'(', b')')?;
            i = skip_ws_back(b, i);
            if i > 0 && b[i - 1] == b'>' {
                i = match_back(b, i - 1, b'<', b'>')?; // type arguments
            }
            call = true;
        }
        let start = ident_start(text, i);
        if start == i || b[start].is_ascii_digit() {
            return None;
        }
        segments.push(Segment {
            name: text[start..i].to_string(),
            call,
            range: TextRange::new(start, i),
        });
        let j = skip_ws_back(b, start);
        if j > 0 && b[j - 1] == b'.' && !(j > 1 && b[j - 2] == b'.') {
            i = j - 1;
            if i > 0 && b[i - 1] == b'?' {
                i -= 1;
            }
            continue;
        }
        break;
    }
    segments.reverse();
    Some(segments)
}

/// If `at` is just after a member-access dot (`.` or `?.`), the position
/// where the receiver expression ends.
pub fn receiver_end(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let at = skip_ws_back(b, at);
    if at == 0 || b[at - 1] != b'.' || (at > 1 && b[at - 2] == b'.') {
        return None;
    }
    let mut end = at - 1;
    if end > 0 && b[end - 1] == b'?' {
        end -= 1;
    }
    Some(end)
}

/// Who a namespace or stub points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An `env` binding name.
    Binding(String),
    /// A class named in a type (`DurableObjectNamespace<Counter>`).
    Class(String),
}

/// What a receiver expression is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Env,
    Namespace(Target),
    Stub(Target),
    /// Another DO API interface (`DurableObjectState`, `SqlStorage`, ...).
    Iface(&'static str),
}

impl Ty {
    /// The knowledge interface whose members apply.
    pub fn interface(&self) -> Option<&'static str> {
        match self {
            Ty::Env => None,
            Ty::Namespace(_) => Some(NAMESPACE),
            Ty::Stub(_) => Some(STUB),
            Ty::Iface(name) => Some(name),
        }
    }
}

/// The analysis context of one file.
pub struct Ctx<'a> {
    pub ws: &'a Workspace,
    pub file: FileId,
    pub text: &'a str,
    pub offset: usize,
}

impl<'a> Ctx<'a> {
    /// `None` when `file` is not in the workspace.
    pub fn new(ws: &'a Workspace, file: FileId, offset: usize) -> Option<Ctx<'a>> {
        if file.0 as usize >= ws.files.len() {
            return None;
        }
        Some(Self::with_text(ws, file, ws.files.text(file), offset))
    }

    /// A context over `text`, the editor's current buffer, while `ws` may be
    /// a snapshot from just before the last keystroke (its summary ranges
    /// are then off by that edit, which matters only at class boundaries).
    pub fn with_text(ws: &'a Workspace, file: FileId, text: &'a str, offset: usize) -> Ctx<'a> {
        Ctx {
            ws,
            file,
            text,
            offset: clamp(text, offset),
        }
    }

    /// The innermost class whose declaration contains the offset.
    pub fn enclosing_class(&self) -> Option<&'a ClassInfo> {
        self.ws
            .summary(self.file)?
            .classes
            .iter()
            .filter(|c| c.range.contains(self.offset))
            .min_by_key(|c| c.range.len())
    }

    pub fn in_do_class(&self) -> bool {
        self.enclosing_class()
            .is_some_and(|c| durable_object_kind(self.ws, self.file, c).is_some())
    }

    /// Workers whose `main` reaches the file; else Workers whose sources hold it.
    pub fn workers(&self) -> Vec<&'a Worker> {
        file_workers(self.ws, self.file)
    }

    /// The type of the chain `segments`.
    pub fn resolve(&self, segments: &[Segment]) -> Option<Ty> {
        self.resolve_at(segments, 0)
    }

    fn resolve_at(&self, segments: &[Segment], depth: u32) -> Option<Ty> {
        if depth > 6 {
            return None;
        }
        let first = segments.first()?;
        let second = segments.get(1);
        let before = first.range.start as usize;
        let (mut ty, rest) = if first.name == "this" && !first.call {
            let second = second.filter(|s| !s.call)?;
            let ty = match second.name.as_str() {
                "env" => Some(Ty::Env),
                name => self
                    .alias(name, true, before, depth)
                    .or_else(|| self.field_type(name))
                    .or_else(|| (matches!(name, "ctx" | "state")).then_some(Ty::Iface(STATE))),
            };
            (ty?, &segments[2..])
        } else if second.is_some_and(|s| s.name == "env" && !s.call)
            && !first.call
            && !matches!(first.name.as_str(), "process" | "import" | "meta")
        {
            (Ty::Env, &segments[2..])
        } else if !first.call {
            let ty = self
                .alias(&first.name, false, before, depth)
                .or_else(|| self.name_type(&first.name, before))
                .or_else(|| match first.name.as_str() {
                    "env" => Some(Ty::Env),
                    "ctx" | "state" if self.in_do_class() => Some(Ty::Iface(STATE)),
                    name if self.is_socket_param(name) => Some(Ty::Iface(WEBSOCKET)),
                    _ => None,
                })?;
            (ty, &segments[1..])
        } else {
            // `roomFor(env, name).`: what the snapshot's model says the call
            // returns.
            (self.call_type(first)?, &segments[1..])
        };
        for segment in rest {
            ty = self.step(ty, segment)?;
        }
        Some(ty)
    }

    /// What the semantic model of the snapshot says a local name holds at
    /// `before` (declarations resolved through scopes, values through
    /// helpers, parameters and imports).
    fn name_type(&self, name: &str, before: usize) -> Option<Ty> {
        let sem = &self.ws.summary(self.file)?.semantic;
        let decl = sem.lookup(name, before as u32)?;
        value_type(Evaluator::new(self.ws).decl_value(self.file, decl))
    }

    /// What `this.name` holds in the class around the cursor.
    fn field_type(&self, name: &str) -> Option<Ty> {
        let sem = &self.ws.summary(self.file)?.semantic;
        let class = sem.class_at(self.offset as u32)?;
        value_type(Evaluator::new(self.ws).field_value(self.file, class, name))
    }

    /// What the call written at `segment` returns.
    fn call_type(&self, segment: &Segment) -> Option<Ty> {
        let sem = &self.ws.summary(self.file)?.semantic;
        let call = sem
            .calls
            .iter()
            .find(|c| c.name_range.start == segment.range.start && *c.name == *segment.name)?;
        value_type(Evaluator::new(self.ws).value(self.file, call.value))
    }

    /// True if `name` is the socket parameter of the enclosing
    /// `webSocketMessage` / `webSocketClose` / `webSocketError` handler.
    fn is_socket_param(&self, name: &str) -> bool {
        let Some(class) = self.enclosing_class() else {
            return false;
        };
        class.methods.iter().any(|m| {
            m.range.contains(self.offset)
                && matches!(
                    m.name.value.as_str(),
                    "webSocketMessage" | "webSocketClose" | "webSocketError"
                )
                && m.params
                    .first()
                    .is_some_and(|p| p.split(':').next().unwrap_or("").trim() == name)
        }) && durable_object_kind(self.ws, self.file, class).is_some()
    }

    fn step(&self, ty: Ty, segment: &Segment) -> Option<Ty> {
        let name = segment.name.as_str();
        match (ty, segment.call) {
            (Ty::Env, false) => {
                let is_do = self
                    .workers()
                    .iter()
                    .flat_map(|w| w.envs.iter())
                    .flat_map(|e| e.do_bindings.iter())
                    .any(|b| b.name.as_ref().is_some_and(|n| n.value == name));
                is_do.then(|| Ty::Namespace(Target::Binding(name.to_string())))
            }
            (Ty::Namespace(target), true) => match name {
                "get" | "getByName" | "getExisting" => Some(Ty::Stub(target)),
                "jurisdiction" => Some(Ty::Namespace(target)),
                "idFromName" | "idFromString" | "newUniqueId" => Some(Ty::Iface(ID)),
                _ => None,
            },
            (Ty::Iface(STATE), false) => match name {
                "storage" => Some(Ty::Iface(STORAGE)),
                "id" => Some(Ty::Iface(ID)),
                _ => None,
            },
            (Ty::Iface(STORAGE), false) => match name {
                "sql" => Some(Ty::Iface(SQL)),
                "kv" => Some(Ty::Iface(SYNC_KV)),
                _ => None,
            },
            (Ty::Iface(SQL), true) if name == "exec" => Some(Ty::Iface(CURSOR)),
            (Ty::Stub(_), false) if name == "id" => Some(Ty::Iface(ID)),
            _ => None,
        }
    }

    /// What a local name (or `this.name` field) holds, from its last
    /// assignment or type annotation before `before`.
    fn alias(&self, name: &str, field: bool, before: usize, depth: u32) -> Option<Ty> {
        let text = &self.text[..before.min(self.text.len())];
        let b = self.text.as_bytes();
        let mut search_end = text.len();
        while let Some(at) = text[..search_end].rfind(name) {
            search_end = at;
            let end = at + name.len();
            let boundary_before = at == 0 || !is_ident_byte(b[at - 1]);
            let boundary_after = end >= b.len() || !is_ident_byte(b[end]);
            if !boundary_before || !boundary_after {
                continue;
            }
            let head = text[..at].trim_end();
            let preceded_by_this = head.ends_with("this.");
            let preceded_by_dot = head.ends_with('.');
            // A class field declaration: only modifiers before it on its line.
            let line_head = &text[text[..at].rfind('\n').map_or(0, |n| n + 1)..at];
            let declaration = line_head.split_whitespace().all(|w| {
                matches!(
                    w,
                    "private" | "protected" | "public" | "readonly" | "declare" | "static"
                )
            });
            let ok = if field {
                preceded_by_this || declaration
            } else {
                !preceded_by_dot
            };
            if !ok {
                continue;
            }
            let mut i = end;
            // `name?:` / `name!:` in declarations.
            while i < b.len() && (b[i] == b'?' || b[i] == b'!') {
                i += 1;
            }
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() {
                continue;
            }
            if b[i] == b'=' && b.get(i + 1) != Some(&b'=') && b.get(i + 1) != Some(&b'>') {
                if let Some(ty) = self.rhs_type(i + 1, depth) {
                    return Some(ty);
                }
            } else if b[i] == b':' {
                if let Some(ty) = annotation_type(&self.text[i + 1..]) {
                    return Some(ty);
                }
            }
        }
        None
    }

    /// The type of the expression starting at `start` (an assignment's
    /// right-hand side), up to `;`, a newline or a comma at depth 0.
    fn rhs_type(&self, start: usize, depth: u32) -> Option<Ty> {
        let b = self.text.as_bytes();
        let mut i = start;
        let mut nesting = 0i32;
        while i < b.len() && i < start + 2048 {
            match b[i] {
                b'(' | b'[' | b'{' => nesting += 1,
                b')' | b']' | b'}' => {
                    if nesting == 0 {
                        break;
                    }
                    nesting -= 1;
                }
                b';' | b'\n' | b',' if nesting == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let mut end = i;
        // `x as DurableObjectStub<Counter>`: the cast wins.
        let expr = self.text[start..end].trim();
        if let Some(pos) = expr.rfind(" as ") {
            if let Some(ty) = annotation_type(&expr[pos + 4..]) {
                return Some(ty);
            }
            end = start + self.text[start..end].find(" as ").unwrap_or(end - start);
        }
        let end = skip_ws_back(b, end);
        if end <= start {
            return None;
        }
        let segments = chain_before(self.text, end)?;
        if segments.first()?.range.start < start as u32 {
            return None;
        }
        self.resolve_at(&segments, depth + 1)
    }
}

/// The completion type of a semantic value.
fn value_type(value: Value) -> Option<Ty> {
    Some(match value {
        Value::Env(EnvKind::Worker | EnvKind::Unsure) => Ty::Env,
        Value::Binding(binding) => Ty::Namespace(Target::Binding(binding.to_string())),
        Value::Namespace { class: Some(class) } => Ty::Namespace(Target::Class(class.to_string())),
        Value::Stub {
            binding: Some(binding),
            ..
        } => Ty::Stub(Target::Binding(binding.to_string())),
        Value::Stub {
            class: Some(class), ..
        } => Ty::Stub(Target::Class(class.to_string())),
        Value::State => Ty::Iface(STATE),
        Value::Storage => Ty::Iface(STORAGE),
        Value::Sql => Ty::Iface(SQL),
        Value::Id { .. } => Ty::Iface(ID),
        Value::PairEnd { .. } => Ty::Iface(WEBSOCKET),
        _ => return None,
    })
}

/// The DO API type named at the start of a type annotation.
fn annotation_type(text: &str) -> Option<Ty> {
    let text = text.trim_start();
    let end = text
        .bytes()
        .position(|c| !is_ident_byte(c))
        .unwrap_or(text.len());
    let name = &text[..end];
    let type_arg = || {
        let rest = text[end..].trim_start().strip_prefix('<')?;
        let arg_end = rest.bytes().position(|c| !is_ident_byte(c))?;
        let arg = &rest[..arg_end];
        (!arg.is_empty()).then(|| arg.to_string())
    };
    match name {
        "DurableObjectState" => Some(Ty::Iface(STATE)),
        "DurableObjectStorage" => Some(Ty::Iface(STORAGE)),
        "SqlStorage" => Some(Ty::Iface(SQL)),
        "SqlStorageCursor" => Some(Ty::Iface(CURSOR)),
        "SyncKvStorage" => Some(Ty::Iface(SYNC_KV)),
        "DurableObjectId" => Some(Ty::Iface(ID)),
        "DurableObjectNamespace" => Some(Ty::Namespace(Target::Class(type_arg()?))),
        "DurableObjectStub" => Some(Ty::Stub(Target::Class(type_arg()?))),
        _ => None,
    }
}

/// Workers whose `main` reaches `file`; else Workers whose sources hold it.
pub fn file_workers(ws: &Workspace, file: FileId) -> Vec<&Worker> {
    let reaching: Vec<&Worker> = workers_reaching(ws, file).collect();
    if !reaching.is_empty() {
        return reaching;
    }
    ws.workers
        .iter()
        .filter(|w| w.sources.contains(&file))
        .collect()
}

/// The Worker whose config is `file`.
pub fn config_worker(ws: &Workspace, file: FileId) -> Option<&Worker> {
    ws.workers.iter().find(|w| w.config == file)
}

/// One DO binding in one env, with the Worker that hosts its class.
pub struct DoTarget<'a> {
    pub worker: &'a Worker,
    pub env_index: usize,
    pub binding: &'a DoBinding,
    pub class_name: &'a str,
    /// The Worker running the class (`script_name` resolved), if known.
    pub host: Option<&'a Worker>,
    pub host_env: usize,
}

impl<'a> DoTarget<'a> {
    pub fn class(&self, ws: &'a Workspace) -> Option<(FileId, &'a ClassInfo)> {
        bound_class(ws, self.host?, self.host_env, self.class_name)
    }

    /// The replayed class in the host's history, with the env it comes from.
    pub fn live(&self) -> Option<(LiveClass, &'a EffectiveConfig)> {
        let host = self.host?;
        let replay = env_replays(host).into_iter().nth(self.host_env)?;
        let live = replay.replay.live.get(self.class_name)?.clone();
        Some((live, &host.envs[self.host_env]))
    }
}

/// Every DO binding of `workers` (all envs), optionally only those named `name`.
pub fn do_targets<'a>(
    ws: &'a Workspace,
    workers: &[&'a Worker],
    name: Option<&str>,
) -> Vec<DoTarget<'a>> {
    let mut out = Vec::new();
    for &worker in workers {
        for (env_index, env) in worker.envs.iter().enumerate() {
            for binding in &env.do_bindings {
                let Some(binding_name) = &binding.name else {
                    continue;
                };
                if name.is_some_and(|n| n != binding_name.value) {
                    continue;
                }
                let Some(class_name) = &binding.class_name else {
                    continue;
                };
                out.push(do_target(ws, worker, env_index, binding, &class_name.value));
            }
        }
    }
    out
}

pub fn do_target<'a>(
    ws: &'a Workspace,
    worker: &'a Worker,
    env_index: usize,
    binding: &'a DoBinding,
    class_name: &'a str,
) -> DoTarget<'a> {
    let (host, host_env) = crate::rules::stubs::binding_host(ws, worker, env_index, binding);
    DoTarget {
        worker,
        env_index,
        binding,
        class_name,
        host,
        host_env,
    }
}

/// The classes a namespace or stub target points at, deduplicated.
pub fn target_classes<'a>(
    ws: &'a Workspace,
    workers: &[&'a Worker],
    target: &Target,
) -> Vec<(FileId, &'a ClassInfo)> {
    let mut out: Vec<(FileId, &ClassInfo)> = Vec::new();
    match target {
        Target::Binding(name) => {
            for t in do_targets(ws, workers, Some(name)) {
                if let Some(found) = t.class(ws) {
                    out.push(found);
                }
            }
        }
        Target::Class(name) => {
            let named = |c: &&ClassInfo| c.name.as_ref().is_some_and(|n| &n.value == name);
            for worker in workers {
                out.extend(ws.classes_of(worker).filter(|(_, c)| named(c)));
            }
            if out.is_empty() {
                for worker in ws.workers.iter() {
                    out.extend(ws.classes_of(worker).filter(|(_, c)| named(c)));
                }
            }
        }
    }
    let mut seen = Vec::new();
    out.retain(|(file, class)| {
        let key = (*file, class.range);
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
    out
}

/// The class's backend in the Workers that hold `file`, when their
/// migration histories agree.
pub fn class_backend(ws: &Workspace, file: FileId, class_name: &str) -> Option<Backend> {
    agreed_backend(file_workers(ws, file), class_name)
}

pub fn describe_backend(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Kv => "KV (legacy)",
        Backend::Unknown => "transferred; backend of the source Worker",
    }
}

/// 1-based line of `offset` in `file`.
pub fn line_of(ws: &Workspace, file: FileId, offset: u32) -> u32 {
    let source = ws.files.get(file);
    source
        .line_index
        .line_col(&source.text, offset as usize)
        .line
        + 1
}

/// `path:line` of a place, relative to the workspace's common folder.
pub fn location(ws: &Workspace, file: FileId, offset: u32) -> String {
    format!("{}:{}", short_path(ws, file), line_of(ws, file, offset))
}

/// [`location`] as a Markdown link to that line, for hovers and
/// tooltips (editors open `file://...#L<line>` at the line).
pub fn location_link(ws: &Workspace, file: FileId, offset: u32) -> String {
    let line = line_of(ws, file, offset);
    let path = ws.files.path(file).display().to_string();
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => encoded.push_str("%20"),
            '#' => encoded.push_str("%23"),
            '%' => encoded.push_str("%25"),
            '(' => encoded.push_str("%28"),
            ')' => encoded.push_str("%29"),
            '?' => encoded.push_str("%3F"),
            c => encoded.push(c),
        }
    }
    format!(
        "[{}:{line}](file://{encoded}#L{line})",
        short_path(ws, file)
    )
}

pub fn short_path(ws: &Workspace, file: FileId) -> String {
    ws.display_path(file, &ws.common_root)
}

/// Inside a string literal on the cursor's line: the offset just after the
/// opening quote. Counts quotes from the line start, so `"a" + "b|` works.
pub fn string_start(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let b = text.as_bytes();
    let mut open: Option<(u8, usize)> = None;
    let mut i = line_start;
    while i < offset {
        let c = b[i];
        match open {
            Some((q, _)) if c == q => open = None,
            Some(_) if c == b'\\' => i += 1,
            None if c == b'"' || c == b'\'' || c == b'`' => open = Some((c, i + 1)),
            _ => {}
        }
        i += 1;
    }
    open.map(|(_, start)| start)
}

/// The string literal containing `offset` on its line: content range.
pub fn string_at(text: &str, offset: usize) -> Option<TextRange> {
    let start = string_start(text, offset)?;
    let quote = text.as_bytes()[start - 1];
    let rest = &text.as_bytes()[offset..];
    let len = rest.iter().position(|&c| c == quote || c == b'\n')?;
    (rest[len] == quote).then(|| TextRange::new(start, offset + len))
}

/// The key a value at `value_start` belongs to: `key = ` (TOML), `"key": `
/// (JSON) or `key: ` (JS object), with quotes removed.
pub fn key_before(text: &str, value_start: usize) -> Option<&str> {
    let b = text.as_bytes();
    let i = skip_ws_back(b, value_start);
    if i == 0 || !(b[i - 1] == b'=' || b[i - 1] == b':') {
        return None;
    }
    let mut end = skip_ws_back(b, i - 1);
    let quoted = end > 0 && (b[end - 1] == b'"' || b[end - 1] == b'\'');
    if quoted {
        end -= 1;
    }
    let start = ident_start(text, end);
    (start < end).then(|| &text[start..end])
}

/// For a string inside an array (`key = ["A", "B|`), the array's key.
pub fn array_key_before(text: &str, quote: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut i = quote;
    let floor = quote.saturating_sub(4096);
    while i > floor {
        i -= 1;
        match b[i] {
            b'[' => return key_before(text, i),
            b']' | b'{' | b'}' | b'=' | b':' => return None,
            _ => {}
        }
    }
    None
}
