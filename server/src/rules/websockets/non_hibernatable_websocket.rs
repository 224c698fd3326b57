//! `non-hibernatable-websocket`: a Durable Object accepts its end of a
//! `WebSocketPair` with the standard API instead of `ctx.acceptWebSocket`.

use tree_sitter::Node;

use super::lifecycle_support::{class_calls, class_name, is_extended, last, WEBSOCKET_HANDLERS};
use super::support::{durable_object_classes, ClassContext};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::source_edit::{self, ParsedSource};
use crate::fix::source_rewrite::{
    append_members, callback_body, class_uses_override, declared_names, descendants,
    durable_object_state, has_multiline_literal, identifier_uses, method_text, node_at, node_text,
    reindent, statement_lines, CallbackBody,
};
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::index::{CallSite, CallUsage, WebSocketPairBinding};
use crate::model::Workspace;
use crate::semantic::{DeclKind, Evaluator, Expr, SemCall, Value};
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "non-hibernatable-websocket",
    severity: Severity::Warning,
    summary: "A Durable Object accepts a `WebSocketPair` end with `accept()`/`addEventListener`, so it can never hibernate.",
    docs: r#"
## What it finds
Inside a Durable Object class, `server.accept()` — or, without it,
`server.addEventListener("message", ...)` — on an end of a
`new WebSocketPair()`, however the end is reached: `pair[1]`,
`const [client, server] = Object.values(pair)` (also with the pair in a
variable first), `const { 0: client, 1: server } = pair`.

Not reported: an end accepted only to send a last frame and `close()` it
in the same function (an error reply), sockets the object opened itself
(`resp.webSocket.accept()` on an outgoing connection, see
`outgoing-websocket`), WebSocketPairs in plain Worker code outside Durable
Object classes, and sockets also passed to `acceptWebSocket` (that is
`websocket-double-accept`).

## Why it matters
A socket accepted the standard way keeps the object in memory for as long
as the connection stays open, even when no message arrives for hours, and
the object is billed for all of that time. With the Hibernation API the
runtime keeps the connection while the object sleeps and wakes it only for
a message.

## Example
```ts
async fetch(request: Request) {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.addEventListener("message", (event) => this.onMessage(event.data));
  return new Response(null, { status: 101, webSocket: client });
}
```

## How to fix
Call `this.ctx.acceptWebSocket(server)` instead of `server.accept()`, and
move the listeners into the class's `webSocketMessage(ws, message)`,
`webSocketClose(ws, code, reason, wasClean)` and `webSocketError(ws, error)`
methods. Keep per-connection data with `ws.serializeAttachment(...)`.

The quick fix (unsafe: the object can now hibernate, and instance fields
start empty after each wake-up) does this for one socket accepted in a
method of a plain `DurableObject` subclass (or a legacy class that stores
its state in a field): it calls `acceptWebSocket` instead of `accept()`,
moves the `message`, `close` and `error` listeners into the handlers
(`event.data` becomes `message`, the socket becomes `ws`) and adds the
message and close handlers if they were missing. It is offered only when
every listener is an arrow function that uses nothing local to the method
but the socket and its event, and writes no instance field; the socket may
only be used to `send`, `close` or store attachments. Anything else (the
socket kept in a `Map`, a listener that reads the request, a class that
already has handlers) needs the change by hand: a listener left behind
would stop firing once the socket hibernates.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

/// The pair end (as written in the callee) that `call` is made on, if any.
fn on_pair_end(call: &CallSite, pair: &WebSocketPairBinding) -> Option<String> {
    if !pair.scope.function.contains_range(call.range) || call.range.start < pair.range.start {
        return None;
    }
    let segments = &call.callee;
    if pair.destructured && segments.len() == 2 && pair.names.contains(&segments[0]) {
        return Some(segments[0].to_string());
    }
    if !pair.destructured
        && segments.len() == 3
        && segments[0] == pair.names[0]
        && &*segments[1] == "[]"
    {
        return Some(format!("{}[...]", segments[0]));
    }
    None
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let eval = Evaluator::new(ws);
    for context in durable_object_classes(ws) {
        let name = class_name(&context);
        let Some(summary) = ws.summary(context.file) else {
            continue;
        };
        let sem = &summary.semantic;
        let calls = class_calls(ws, &context);
        // Hibernation handlers with no `acceptWebSocket`: that is
        // `websocket-handler-unused`, which names the dead handlers.
        let handlers = context
            .class
            .methods
            .iter()
            .any(|m| !m.is_static && WEBSOCKET_HANDLERS.contains(&m.name.value.as_str()));
        if handlers && !calls.iter().any(|c| last(c) == "acceptWebSocket") {
            continue;
        }
        let Some(class) = sem
            .classes
            .iter()
            .position(|c| c.range == context.class.range)
        else {
            continue;
        };
        // Calls made in this class's own code (not in a class nested in it).
        let own: Vec<&SemCall> = sem
            .calls
            .iter()
            .filter(|c| sem.class_at(c.range.start) == Some(class as u32))
            .collect();
        let end_of = |call: &SemCall| match eval.receiver(context.file, call) {
            Value::PairEnd { server } => Some(server),
            _ => None,
        };
        // Ends also given to acceptWebSocket belong to websocket-double-accept.
        let hibernated: Vec<(Option<u32>, bool)> = own
            .iter()
            .filter(|c| &*c.name == "acceptWebSocket")
            .filter_map(|c| match eval.value(context.file, *c.args.first()?) {
                Value::PairEnd { server } => Some((c.func, server)),
                _ => None,
            })
            .collect();
        // An end accepted only to send a last frame and close it (an error
        // reply to a bad upgrade) holds nothing open.
        let closed: Vec<(Option<u32>, bool)> = own
            .iter()
            .filter(|c| &*c.name == "close")
            .filter_map(|c| Some((c.func, end_of(c)?)))
            .collect();
        let hibernated: Vec<(Option<u32>, bool)> = hibernated.into_iter().chain(closed).collect();
        // One finding per end of a pair and function: its `accept()`, or
        // else its `addEventListener("message")`.
        let mut reported: Vec<(Option<u32>, bool)> = Vec::new();
        let accepted: Vec<(Option<u32>, bool)> = own
            .iter()
            .filter(|c| &*c.name == "accept" && c.args.is_empty())
            .filter_map(|c| Some((c.func, end_of(c)?)))
            .collect();
        for method in ["accept", "addEventListener"] {
            for call in own.iter().filter(|c| &*c.name == method) {
                if method == "addEventListener"
                    && !matches!(call.args.first().map(|&a| sem.expr(a)), Some(Expr::Str(event)) if &**event == "message")
                {
                    continue;
                }
                let Some(server) = end_of(call) else { continue };
                let key = (call.func, server);
                if hibernated.contains(&key) || reported.contains(&key) {
                    continue;
                }
                // A listener on an end accepted elsewhere in the class (a
                // helper the socket is handed to): the `accept()` finding
                // already covers that socket.
                let handed_in = call.receiver.is_some_and(|r| {
                    matches!(sem.expr(r), Expr::Ref(d) if matches!(sem.decl(*d).map(|d| &d.kind), Some(DeclKind::Param { .. })))
                });
                if method == "addEventListener"
                    && handed_in
                    && (accepted.iter().any(|&(_, s)| s == server)
                        || hibernated.iter().any(|&(_, s)| s == server))
                {
                    continue;
                }
                reported.push(key);
                let text = ws.files.text(context.file);
                let end = call
                    .receiver_range
                    .and_then(|r| text.get(r.start as usize..r.end as usize))
                    .unwrap_or("socket")
                    .to_string();
                let what = if method == "accept" {
                    "accept()"
                } else {
                    "addEventListener(\"message\")"
                };
                let diagnostic = out.report(
                    context.file,
                    call.name_range,
                    format!(
                        "`{end}.{what}` uses the standard WebSocket API, so `{name}` stays in memory (and billed) for as long as the socket is open; use `this.ctx.acceptWebSocket({end})` and `webSocketMessage`/`webSocketClose` handlers so it can hibernate"
                    ),
                );
                if method != "accept" {
                    continue;
                }
                // The rewrite works on the index's record of the call and
                // the pair it was made on, written in the same method.
                let site = calls
                    .iter()
                    .find(|c| c.range == call.range && last(c) == "accept");
                let pair = site.and_then(|site| {
                    summary.websocket_pairs.iter().find(|pair| {
                        pair.scope.class.as_deref() == Some(name)
                            && on_pair_end(site, pair).is_some()
                    })
                });
                if let (Some(site), Some(pair)) = (site, pair) {
                    if let Some(fix) = hibernation_fix(ws, &context, pair, site, &calls) {
                        diagnostic.add_fix(fix);
                    }
                }
            }
        }
    }
}

/// Socket methods that work the same on a hibernatable socket.
const SOCKET_CALLS: [&str; 4] = [
    "send",
    "close",
    "serializeAttachment",
    "deserializeAttachment",
];

/// `this.<field>.<method>(...)` calls that change in-memory state.
const MUTATORS: [&str; 9] = [
    "set", "add", "delete", "clear", "push", "pop", "shift", "unshift", "splice",
];

/// The handler a listener's body moves into: event name, method, its
/// parameters (TS and JS), and what the event's properties become.
struct Handler {
    event: &'static str,
    method: &'static str,
    ts_params: &'static str,
    js_params: &'static str,
    /// `event.<property>` → parameter name.
    properties: &'static [(&'static str, &'static str)],
    /// Names the handler's parameters take.
    params: &'static [&'static str],
}

const HANDLERS: [Handler; 3] = [
    Handler {
        event: "message",
        method: "webSocketMessage",
        ts_params: "ws: WebSocket, message: string | ArrayBuffer",
        js_params: "ws, message",
        properties: &[("data", "message")],
        params: &["ws", "message"],
    },
    Handler {
        event: "close",
        method: "webSocketClose",
        ts_params: "ws: WebSocket, code: number, reason: string, wasClean: boolean",
        js_params: "ws, code, reason, wasClean",
        properties: &[
            ("code", "code"),
            ("reason", "reason"),
            ("wasClean", "wasClean"),
        ],
        params: &["ws", "code", "reason", "wasClean"],
    },
    Handler {
        event: "error",
        method: "webSocketError",
        ts_params: "ws: WebSocket, error: unknown",
        js_params: "ws, error",
        properties: &[],
        params: &["ws", "error"],
    },
];

/// A listener whose body moves into a handler.
struct Moved {
    handler: &'static Handler,
    /// The `server.addEventListener(...)` statement, removed.
    statement: TextRange,
    /// The handler body, indented for the new method (`None`: empty).
    body: Option<String>,
}

/// The quick fix for `server.accept()`: accept with
/// `this.ctx.acceptWebSocket(server)`, move the `message`/`close`/`error`
/// listeners into `webSocketMessage`/`webSocketClose`/`webSocketError`, and
/// add the message and close handlers when there were no listeners for
/// them. Offered only when the result does what the code did: one socket
/// accepted directly in a method of a plain Durable Object class that has
/// no handlers yet; the socket is used only for `send`/`close`/attachments
/// (a socket kept in a field would be lost on hibernation); every listener
/// is an arrow function registered at the top of that method whose body
/// reads nothing local to the method but the socket and the event's fields,
/// and writes no instance state (which hibernation would reset). A listener
/// that cannot move means no fix at all: left behind, it would silently
/// stop firing once the socket hibernates.
fn hibernation_fix(
    ws: &Workspace,
    context: &ClassContext,
    pair: &WebSocketPairBinding,
    accept: &CallSite,
    calls: &[&CallSite],
) -> Option<Fix> {
    let class = context.class;
    let has_handler = class
        .methods
        .iter()
        .any(|m| WEBSOCKET_HANDLERS.contains(&m.name.value.as_str()))
        || class
            .fields
            .iter()
            .any(|f| WEBSOCKET_HANDLERS.contains(&f.name.value.as_str()));
    if has_handler
        || is_extended(ws, context)
        || calls.iter().filter(|c| last(c) == "accept").count() != 1
        || calls.iter().any(|c| last(c) == "acceptWebSocket")
        || accept.usage != CallUsage::Floating
    {
        return None;
    }
    let method = class
        .methods
        .iter()
        .find(|m| m.range == accept.scope.function && !m.is_static && !m.is_field)?;
    if pair.scope.function != method.range {
        return None;
    }
    let path = ws.files.path(context.file);
    let text = ws.files.text(context.file);
    let source = source_edit::parse(path, text)?;
    let (state, _) = durable_object_state(&source, class, context.kind.as_ref())?;
    let method_node = node_at(&source, method.range, &["method_definition"])?;
    let body = method_node.child_by_field_name("body")?;
    let accept_node = node_at(&source, accept.range, &["call_expression"])?;
    let accept_member = accept_node.child_by_field_name("function")?;
    let socket_text = node_text(&source, accept_member.child_by_field_name("object")?);
    let socket = SocketMatcher::new(pair, socket_text)?;

    // Every use of the socket: accepted here, listened to, or sent on.
    let mut listeners = Vec::new();
    for node in descendants(body) {
        if pair.range.contains_range(range_of(node)) {
            continue;
        }
        let reference = match socket.classify(&source, node) {
            Reference::None => continue,
            Reference::Unsupported => return None,
            Reference::Socket(reference) => reference,
        };
        let member = reference.parent()?;
        let call = member.parent()?;
        if member.kind() != "member_expression"
            || member.child_by_field_name("object") != Some(reference)
            || call.kind() != "call_expression"
            || call.child_by_field_name("function") != Some(member)
        {
            return None;
        }
        match node_text(&source, member.child_by_field_name("property")?) {
            "accept" if call == accept_node => {}
            "addEventListener" => listeners.push(call),
            property if SOCKET_CALLS.contains(&property) => {}
            _ => return None,
        }
    }

    let is_js = source_edit::is_javascript(path);
    let newline = source_edit::line_ending(text);
    let at = source.member_insertion(class.range)?;
    let mut moved: Vec<Moved> = Vec::new();
    for call in listeners {
        let listener = move_listener(
            &source,
            &socket,
            method_node,
            body,
            call,
            &at.inner_indent,
            newline,
        )?;
        if moved
            .iter()
            .any(|m| m.handler.event == listener.handler.event)
        {
            return None;
        }
        moved.push(listener);
    }

    let prefix = if class_uses_override(&source, class.range) {
        "override async"
    } else {
        "async"
    };
    let mut members = Vec::new();
    for handler in &HANDLERS {
        let listener = moved.iter().find(|m| m.handler.event == handler.event);
        // The error handler only when there was an error listener.
        if handler.event == "error" && listener.is_none() {
            continue;
        }
        let params = if is_js {
            handler.js_params
        } else {
            handler.ts_params
        };
        let header = format!("{prefix} {}({params})", handler.method);
        let body = listener.and_then(|m| m.body.as_deref());
        members.push(method_text(&header, body, &at.indent, newline));
    }

    let mut change = SourceChange::default();
    change.push(
        context.file,
        TextEdit::replace(
            accept.range,
            format!("{state}.acceptWebSocket({socket_text})"),
        ),
    );
    for listener in &moved {
        change.push(context.file, TextEdit::replace(listener.statement, ""));
    }
    change.push(
        context.file,
        append_members(&source, class.range, &members, newline)?,
    );
    let title = if moved.is_empty() {
        format!("Accept with `{state}.acceptWebSocket({socket_text})` and add hibernation handlers")
    } else {
        format!(
            "Accept with `{state}.acceptWebSocket({socket_text})` and move the listeners into hibernation handlers"
        )
    };
    Some(Fix::new(title, Safety::Unsafe, change))
}

fn range_of(node: Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

/// Recognises references to the accepted end of the pair.
enum SocketMatcher<'a> {
    /// `const [client, server] = ...`: the identifier `server`.
    Name(&'a str),
    /// `const pair = new WebSocketPair()`: `pair[1]` (the variable, the index).
    Index(&'a str, &'a str),
}

enum Reference<'t> {
    None,
    /// A use that cannot be followed (the pair passed around whole).
    Unsupported,
    Socket(Node<'t>),
}

impl<'a> SocketMatcher<'a> {
    fn new(pair: &'a WebSocketPairBinding, written: &'a str) -> Option<Self> {
        if pair.destructured {
            return pair
                .names
                .iter()
                .any(|n| **n == *written)
                .then_some(SocketMatcher::Name(written));
        }
        let index = written
            .strip_prefix(&**pair.names.first()?)?
            .strip_prefix('[')?
            .strip_suffix(']')?;
        index
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(SocketMatcher::Index(pair.names.first()?, index))
    }

    fn classify<'t>(&self, source: &ParsedSource, node: Node<'t>) -> Reference<'t> {
        let is_name = |name: &str| {
            matches!(node.kind(), "identifier" | "shorthand_property_identifier")
                && node_text(source, node) == name
        };
        match *self {
            SocketMatcher::Name(name) if is_name(name) => Reference::Socket(node),
            SocketMatcher::Index(variable, index) if is_name(variable) => {
                let Some(parent) = node.parent() else {
                    return Reference::Unsupported;
                };
                let indexed = parent.kind() == "subscript_expression"
                    && parent.child_by_field_name("object") == Some(node);
                let Some(position) = parent.child_by_field_name("index").filter(|_| indexed) else {
                    return Reference::Unsupported;
                };
                match node_text(source, position) {
                    i if i == index => Reference::Socket(parent),
                    // The client end, handed to the Response.
                    i if i.bytes().all(|b| b.is_ascii_digit()) => Reference::None,
                    _ => Reference::Unsupported,
                }
            }
            _ => Reference::None,
        }
    }
}

/// The body of one `socket.addEventListener("<event>", (event) => ...)`
/// statement rewritten for its handler, or `None` when it cannot move as
/// is (see [`hibernation_fix`]).
fn move_listener(
    source: &ParsedSource,
    socket: &SocketMatcher,
    method: Node,
    method_body: Node,
    call: Node,
    inner_indent: &str,
    newline: &str,
) -> Option<Moved> {
    let statement = call.parent()?;
    if statement.kind() != "expression_statement" || statement.parent() != Some(method_body) {
        return None;
    }
    let arguments = call.child_by_field_name("arguments")?;
    let args: Vec<Node> = arguments
        .named_children(&mut arguments.walk())
        .filter(|n| n.kind() != "comment")
        .collect();
    let [event, listener] = args.as_slice() else {
        return None;
    };
    let event = node_text(source, *event);
    let handler = HANDLERS.iter().find(|h| {
        event.len() == h.event.len() + 2
            && matches!(event.as_bytes()[0], b'"' | b'\'')
            && event.get(1..event.len() - 1) == Some(h.event)
    })?;
    if listener.kind() != "arrow_function" || has_multiline_literal(source, *listener) {
        return None;
    }
    let param = listener_param(source, *listener)?;
    let listener_body = listener.child_by_field_name("body")?;
    let outer = declared_names(source, method, Some(*listener));
    let mut replacements = Vec::new();
    for node in descendants(listener_body) {
        if writes_instance_state(source, node) {
            return None;
        }
    }
    for node in identifier_uses(listener_body) {
        let name = node_text(source, node);
        if name == "arguments" || handler.params.contains(&name) {
            return None;
        }
        match socket.classify(source, node) {
            Reference::Socket(reference) => {
                // A shorthand `{ server }` would change the key.
                if reference.kind() == "shorthand_property_identifier" {
                    return None;
                }
                replacements.push((range_of(reference), "ws".to_string()));
                continue;
            }
            Reference::Unsupported => return None,
            Reference::None => {}
        }
        if param.as_deref() == Some(name) {
            let member = node.parent()?;
            let assigned = member.parent().is_some_and(|p| {
                matches!(
                    p.kind(),
                    "assignment_expression" | "augmented_assignment_expression"
                ) && p.child_by_field_name("left") == Some(member)
            });
            if member.kind() != "member_expression"
                || member.child_by_field_name("object") != Some(node)
                || assigned
            {
                return None;
            }
            let property = node_text(source, member.child_by_field_name("property")?);
            let (_, parameter) = handler.properties.iter().find(|(p, _)| *p == property)?;
            replacements.push((range_of(member), parameter.to_string()));
            continue;
        }
        if outer.contains(name) {
            return None;
        }
    }
    let body = match callback_body(source, *listener, &replacements)? {
        CallbackBody::Block(code) if code.trim().is_empty() => None,
        CallbackBody::Block(code) => Some(reindent(&code, inner_indent, newline)),
        CallbackBody::Expression(expression) => {
            let semicolon = if node_text(source, statement).ends_with(';') {
                ";"
            } else {
                ""
            };
            Some(format!("{inner_indent}{expression}{semicolon}"))
        }
    };
    Some(Moved {
        handler,
        statement: statement_lines(source.text, range_of(statement))?,
        body,
    })
}

/// The listener's one parameter (`event`, `(e: MessageEvent)`), `Some(None)`
/// for none, `None` for anything else (destructuring, defaults, several).
fn listener_param(source: &ParsedSource, listener: Node) -> Option<Option<String>> {
    if let Some(param) = listener.child_by_field_name("parameter") {
        return (param.kind() == "identifier").then(|| Some(node_text(source, param).to_string()));
    }
    let params = listener.child_by_field_name("parameters")?;
    let list: Vec<Node> = params
        .named_children(&mut params.walk())
        .filter(|n| n.kind() != "comment")
        .collect();
    match list.as_slice() {
        [] => Some(None),
        [param] => {
            let pattern = match param.kind() {
                "required_parameter" if param.child_by_field_name("value").is_none() => {
                    param.child_by_field_name("pattern")?
                }
                "identifier" => *param,
                _ => return None,
            };
            (pattern.kind() == "identifier").then(|| Some(node_text(source, pattern).to_string()))
        }
        _ => None,
    }
}

/// `this.x = ...`, `this.x++`, `this.items.push(...)`: instance state that
/// hibernation would reset between two messages.
fn writes_instance_state(source: &ParsedSource, node: Node) -> bool {
    // `this.x` / `this[k]`: a member or subscript whose object is `this`.
    let on_this = |target: Option<Node>| {
        target.is_some_and(|t| {
            matches!(t.kind(), "member_expression" | "subscript_expression")
                && t.child_by_field_name("object")
                    .is_some_and(|o| o.kind() == "this")
        })
    };
    match node.kind() {
        "assignment_expression" | "augmented_assignment_expression" => {
            on_this(node.child_by_field_name("left"))
        }
        "update_expression" => on_this(node.child_by_field_name("argument")),
        "call_expression" => node
            .child_by_field_name("function")
            .filter(|f| f.kind() == "member_expression")
            .is_some_and(|f| {
                let mutator = f
                    .child_by_field_name("property")
                    .is_some_and(|p| MUTATORS.contains(&node_text(source, p)));
                let object = f.child_by_field_name("object");
                mutator
                    && object.is_some_and(|o| o.kind() == "member_expression")
                    && on_this(object)
            }),
        _ => false,
    }
}
