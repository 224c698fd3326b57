//! Cheap node kinds and fields.
//!
//! `Node::kind()` measures and validates the kind's C string on every call,
//! and `Node::child_by_field_name` compares the name against every field
//! name of the grammar. The extractor asks both for nearly every node it
//! visits, so a cold index spent a few percent of its time there. This
//! module resolves kinds and field ids once per grammar and answers from
//! tables.
use std::sync::OnceLock;

use tree_sitter::{Language, Node};

use super::queries::Grammar;

/// Declares [`NodeField`] with each variant's name in the grammar, so the
/// two cannot drift apart.
macro_rules! node_fields {
    ($($variant:ident = $name:literal,)*) => {
        /// The fields the engine reads.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum NodeField {
            $($variant,)*
        }

        impl NodeField {
            pub const ALL: &[NodeField] = &[$(NodeField::$variant,)*];
        }

        /// Indexed by `NodeField as usize`.
        const FIELD_NAMES: &[&str] = &[$($name,)*];
    };
}

node_fields! {
    Alias = "alias",
    Alternative = "alternative",
    Argument = "argument",
    Arguments = "arguments",
    Body = "body",
    Consequence = "consequence",
    Constructor = "constructor",
    Declaration = "declaration",
    Finalizer = "finalizer",
    Function = "function",
    Handler = "handler",
    Index = "index",
    Key = "key",
    Left = "left",
    Module = "module",
    Name = "name",
    Object = "object",
    Operator = "operator",
    Parameter = "parameter",
    Parameters = "parameters",
    Pattern = "pattern",
    Property = "property",
    Right = "right",
    Source = "source",
    Type = "type",
    TypeArguments = "type_arguments",
    Value = "value",
}

/// One grammar's kinds by id and the ids of [`NodeField`]s.
struct Table {
    kind_count: usize,
    kinds: Vec<String>,
    fields: Vec<u16>,
}

impl Table {
    fn of(language: &Language) -> Table {
        let kind_count = language.node_kind_count();
        let kinds = (0..kind_count)
            .map(|id| {
                language
                    .node_kind_for_id(id as u16)
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        let fields = FIELD_NAMES
            .iter()
            .map(|name| {
                language
                    .field_id_for_name(name)
                    .map_or(0, std::num::NonZeroU16::get)
            })
            .collect();
        Table {
            kind_count,
            kinds,
            fields,
        }
    }
}

fn tables() -> &'static [Table; 2] {
    static TABLES: OnceLock<[Table; 2]> = OnceLock::new();
    TABLES.get_or_init(|| {
        [
            Table::of(&Grammar::TypeScript.language()),
            Table::of(&Grammar::Tsx.language()),
        ]
    })
}

/// The table of the grammar that parsed `node`. The two grammars differ in
/// their number of kinds (TSX adds the JSX ones), which tells them apart
/// without comparing pointers the bindings do not expose.
fn table_of(node: &Node) -> Option<&'static Table> {
    let count = node.language().node_kind_count();
    tables().iter().find(|t| t.kind_count == count)
}

/// Table lookups on a syntax node; results equal `kind()` and
/// `child_by_field_name()`.
pub trait NodeExt<'tree> {
    /// The node's kind, as `Node::kind` gives it.
    fn kind_str(&self) -> &'tree str;
    /// The child in `field`, as `Node::child_by_field_name` gives it.
    fn field(&self, field: NodeField) -> Option<Node<'tree>>;
}

impl<'tree> NodeExt<'tree> for Node<'tree> {
    #[inline]
    fn kind_str(&self) -> &'tree str {
        match table_of(self).and_then(|t| t.kinds.get(self.kind_id() as usize)) {
            Some(kind) => kind.as_str(),
            None => self.kind(),
        }
    }

    #[inline]
    fn field(&self, field: NodeField) -> Option<Node<'tree>> {
        match table_of(self).map(|t| t.fields[field as usize]) {
            Some(id) if id != 0 => self.child_by_field_id(id),
            _ => self.child_by_field_name(FIELD_NAMES[field as usize]),
        }
    }
}

/// The callee and argument list of a `call_expression`, with the
/// grammar's misreading of `await x.m<T>(args)` undone: tree-sitter-typescript
/// 0.23 parses it as a call whose function is `await x.m` (the type
/// arguments pull the `await` into the callee). Then the callee is `x.m`,
/// the call starts at `x`, and the third value is true: the call is
/// awaited. Everything that reads calls goes through here.
pub fn normalized_call(call: Node) -> Option<(Node, Option<Node>, crate::text::TextRange)> {
    let function = call.field(NodeField::Function)?;
    let args = call.field(NodeField::Arguments);
    if is_misread_await(call, function) {
        let inner = function.named_child(0)?;
        let range = crate::text::TextRange::new(inner.start_byte(), call.end_byte());
        return Some((inner, args, range));
    }
    let range = crate::text::TextRange::new(call.start_byte(), call.end_byte());
    Some((function, args, range))
}

/// `function` is the `await x.m` callee of a misread `await x.m<T>()`.
pub fn is_misread_await(call: Node, function: Node) -> bool {
    function.kind_str() == "await_expression" && call.field(NodeField::TypeArguments).is_some()
}

/// The function of a call expression, normalised (see [`normalized_call`]).
pub fn call_function<'t>(call: Node<'t>) -> Option<Node<'t>> {
    normalized_call(call).map(|(function, _, _)| function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_grammars_have_different_kind_counts() {
        let [ts, tsx] = tables();
        assert_ne!(ts.kind_count, tsx.kind_count);
    }

    #[test]
    fn every_field_exists_in_both_grammars() {
        for table in tables() {
            for (name, &id) in FIELD_NAMES.iter().zip(&table.fields) {
                assert_ne!(id, 0, "field {name}");
            }
        }
    }

    #[test]
    fn lookups_agree_with_the_bindings() {
        let source = "import { a as b } from \"m\"; export * as ns from \"n\";\n\
                      class A extends B { m(x) { return this.ctx.storage.get(x); } }\n\
                      for (const k in o) { x += y[0]; } const { p: q } = r; let [u] = w;\n\
                      new Foo(1); type T = { k: string }; const f = async (a: T = 1) => !a;\n\
                      const el = <div a={1}>{env.X}</div>;";
        for grammar in [Grammar::TypeScript, Grammar::Tsx] {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&grammar.language()).unwrap();
            let tree = parser.parse(source, None).unwrap();
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                assert_eq!(node.kind_str(), node.kind());
                for &field in NodeField::ALL {
                    assert_eq!(
                        node.field(field),
                        node.child_by_field_name(FIELD_NAMES[field as usize])
                    );
                }
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
        }
    }
}
