//! Building blocks for fixes that edit TS/JS sources: where a statement
//! goes, in which quote/semicolon/extension style, and how a class body is
//! indented. Summaries hold no syntax tree, so these parse the one file a
//! fix touches (only when a diagnostic that offers the fix is reported) and
//! answer `None` whenever the file does not parse cleanly: a fix is never
//! built on a guess about broken code.

use std::path::{Component, Path};

use tree_sitter::{Node, Tree};

use super::TextEdit;
use crate::index::language::SourceLanguage;
use crate::index::queries::Grammar;
use crate::text::TextRange;

/// A cleanly parsed source file.
pub struct ParsedSource<'t> {
    pub text: &'t str,
    pub tree: Tree,
}

/// Parses `text` as the language `path` names; `None` for other files and
/// for text with syntax errors. JavaScript goes through the TypeScript
/// grammar, then TSX (JSX), like the index.
///
/// Rules build their fixes on every analysis, and most analyses follow a
/// keystroke in another file: the trees of recently parsed texts are kept
/// (see [`ParseCache`]), so an unchanged main module is not parsed again.
pub fn parse<'t>(path: &Path, text: &'t str) -> Option<ParsedSource<'t>> {
    let grammars: &[Grammar] = match SourceLanguage::from_path(path)? {
        SourceLanguage::TypeScript => &[Grammar::TypeScript],
        SourceLanguage::Tsx => &[Grammar::Tsx],
        SourceLanguage::JavaScript => &[Grammar::TypeScript, Grammar::Tsx],
    };
    let tree = PARSE_CACHE.get_or_insert(grammars, text, || {
        grammars.iter().find_map(|&grammar| {
            let tree =
                crate::index::extract::with_parser(grammar, |parser| parser.parse(text, None))??;
            (!tree.root_node().has_error()).then_some(tree)
        })
    })?;
    Some(ParsedSource { text, tree })
}

static PARSE_CACHE: ParseCache = ParseCache::new();

/// The clean trees (or the lack of one) of the last few texts parsed for
/// fixes, by exact text. A tree is a reference-counted handle, so a hit
/// costs a comparison of the text and nothing else.
struct ParseCache {
    entries: std::sync::Mutex<Vec<CachedParse>>,
}

struct CachedParse {
    grammars: &'static [Grammar],
    text: Box<str>,
    tree: Option<Tree>,
}

impl ParseCache {
    /// Enough for the main modules and class files fixes touch in one
    /// analysis; texts above `MAX_TEXT` are not kept.
    const CAPACITY: usize = 32;
    const MAX_TEXT: usize = 256 * 1024;

    const fn new() -> Self {
        ParseCache {
            entries: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn get_or_insert(
        &self,
        grammars: &'static [Grammar],
        text: &str,
        parse: impl FnOnce() -> Option<Tree>,
    ) -> Option<Tree> {
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = lock()
            .iter()
            .find(|e| std::ptr::eq(e.grammars, grammars) && *e.text == *text)
        {
            return hit.tree.clone();
        }
        // Parsed without the lock: other threads' fixes need not wait.
        let tree = parse();
        if text.len() <= Self::MAX_TEXT {
            let mut entries = lock();
            if entries.len() >= Self::CAPACITY {
                entries.remove(0);
            }
            entries.push(CachedParse {
                grammars,
                text: text.into(),
                tree: tree.clone(),
            });
        }
        tree
    }
}

/// The line ending a file uses (CRLF when any line has one).
pub fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Whether `path` is a plain JavaScript file (no type annotations allowed).
pub fn is_javascript(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "js" | "mjs" | "cjs" | "jsx"))
}

/// A class declared at the top level of a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopLevelClass {
    /// Where `export ` can go: the `class` (or `abstract`) keyword, after
    /// any decorators.
    pub keyword_start: usize,
    /// `export class X` / `export default class X`.
    pub exported: bool,
    pub default_export: bool,
}

impl ParsedSource<'_> {
    fn node_text(&self, node: Node) -> &str {
        &self.text[node.byte_range()]
    }

    /// The one top-level class declaration named `name`; `None` when there
    /// is none or more than one (or only a class expression, an ambient
    /// `declare class`, a class inside a function...).
    pub fn top_level_class(&self, name: &str) -> Option<TopLevelClass> {
        let root = self.tree.root_node();
        let mut found = Vec::new();
        for statement in root.named_children(&mut root.walk()) {
            let (declaration, exported) = match statement.kind() {
                "export_statement" => match statement.child_by_field_name("declaration") {
                    Some(d) => (d, true),
                    None => continue,
                },
                _ => (statement, false),
            };
            if !matches!(
                declaration.kind(),
                "class_declaration" | "abstract_class_declaration"
            ) {
                continue;
            }
            let Some(class_name) = declaration.child_by_field_name("name") else {
                continue;
            };
            if self.node_text(class_name) != name {
                continue;
            }
            let mut cursor = declaration.walk();
            let keyword = declaration
                .children(&mut cursor)
                .find(|c| !c.is_named() && matches!(c.kind(), "class" | "abstract"))?;
            let default_export = exported
                && statement
                    .children(&mut statement.walk())
                    .any(|c| !c.is_named() && c.kind() == "default");
            found.push(TopLevelClass {
                keyword_start: keyword.start_byte(),
                exported,
                default_export,
            });
        }
        match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Whether a top-level export statement of this module writes `name`
    /// as an exported name in any form, type-only ones included
    /// (`export type { X }`, `export { Y as X }`, `export interface X`):
    /// adding another export of `X` would clash with it.
    pub fn mentions_export(&self, name: &str) -> bool {
        let root = self.tree.root_node();
        root.named_children(&mut root.walk())
            .filter(|s| s.kind() == "export_statement")
            .any(|statement| {
                if let Some(declaration) = statement.child_by_field_name("declaration") {
                    let declared = declaration
                        .child_by_field_name("name")
                        .is_some_and(|n| self.node_text(n) == name);
                    // `export const X = ...`
                    let variable = declaration
                        .named_children(&mut declaration.walk())
                        .filter(|d| d.kind() == "variable_declarator")
                        .filter_map(|d| d.child_by_field_name("name"))
                        .any(|n| self.node_text(n) == name);
                    if declared || variable {
                        return true;
                    }
                }
                let mut stack = vec![statement];
                while let Some(node) = stack.pop() {
                    if node.kind() == "export_specifier" {
                        let exported = node
                            .child_by_field_name("alias")
                            .or_else(|| node.child_by_field_name("name"));
                        if exported.is_some_and(|n| unquote(self.node_text(n)) == name) {
                            return true;
                        }
                        continue;
                    }
                    // `export * as X from`
                    if node.kind() == "namespace_export"
                        && node
                            .named_children(&mut node.walk())
                            .any(|n| unquote(self.node_text(n)) == name)
                    {
                        return true;
                    }
                    stack.extend(node.named_children(&mut node.walk()));
                }
                false
            })
    }

    /// Module specifiers of the top-level imports and re-exports, as
    /// written with their quotes.
    fn sources(&self) -> Vec<&str> {
        let root = self.tree.root_node();
        root.named_children(&mut root.walk())
            .filter(|s| matches!(s.kind(), "import_statement" | "export_statement"))
            .filter_map(|s| s.child_by_field_name("source"))
            .map(|s| self.node_text(s))
            .collect()
    }

    /// The quote character of the module's import specifiers (the more
    /// common one; double quotes when there are none or as many of each).
    pub fn quote(&self) -> char {
        let sources = self.sources();
        let single = sources.iter().filter(|s| s.starts_with('\'')).count();
        if single * 2 > sources.len() {
            '\''
        } else {
            '"'
        }
    }

    /// Whether statements end with `;` in this module: the more common
    /// choice among top-level statements that may take one (yes when
    /// there are none or as many of each).
    pub fn uses_semicolons(&self) -> bool {
        let root = self.tree.root_node();
        let (mut with, mut without) = (0usize, 0usize);
        for statement in root.named_children(&mut root.walk()) {
            let counts = match statement.kind() {
                "import_statement"
                | "lexical_declaration"
                | "variable_declaration"
                | "expression_statement" => true,
                // `export class X {}` never ends with `;`.
                "export_statement" => {
                    statement
                        .child_by_field_name("declaration")
                        .is_none_or(|d| {
                            matches!(d.kind(), "lexical_declaration" | "variable_declaration")
                        })
                }
                _ => false,
            };
            if !counts {
                continue;
            }
            if self.node_text(statement).ends_with(';') {
                with += 1;
            } else {
                without += 1;
            }
        }
        with >= without
    }

    /// How relative specifiers name files in this module.
    pub fn extension_style(&self, module_is_javascript: bool) -> ExtensionStyle {
        let (mut js, mut ts, mut none) = (0usize, 0usize, 0usize);
        for source in self.sources() {
            let specifier = unquote(source);
            if !(specifier.starts_with("./") || specifier.starts_with("../")) {
                continue;
            }
            let file = specifier.rsplit('/').next().unwrap_or_default();
            let extension = file.rsplit_once('.').map(|(_, e)| e);
            match extension {
                Some("js" | "mjs" | "cjs" | "jsx") => js += 1,
                Some("ts" | "mts" | "cts" | "tsx") => ts += 1,
                _ => none += 1,
            }
        }
        if js + ts + none == 0 {
            // Plain JS without a bundler needs real file names; TS code
            // usually leaves them out.
            return if module_is_javascript {
                ExtensionStyle::Js
            } else {
                ExtensionStyle::None
            };
        }
        if js > none && js >= ts {
            ExtensionStyle::Js
        } else if ts > none && ts > js {
            ExtensionStyle::Ts
        } else {
            ExtensionStyle::None
        }
    }

    /// Where a new top-level `export ... from` statement goes: at the end
    /// of the line of the last import or re-export in the module's leading
    /// run of them (comments and directives may sit in between), else at
    /// the end of the file. Returns the offset and whether the offset is
    /// the end of the file (then the new statement gets its own
    /// paragraph).
    pub fn statement_insertion_point(&self) -> (usize, bool) {
        let root = self.tree.root_node();
        let mut anchor: Option<Node> = None;
        for statement in root.named_children(&mut root.walk()) {
            match statement.kind() {
                "comment" | "hash_bang_line" => {}
                "expression_statement"
                    if statement
                        .named_child(0)
                        .is_some_and(|c| c.kind() == "string") => {}
                "import_statement" => anchor = Some(statement),
                "export_statement" if statement.child_by_field_name("source").is_some() => {
                    anchor = Some(statement)
                }
                _ => break,
            }
        }
        match anchor {
            Some(statement) => {
                let end = statement.end_byte();
                let line_end = self.text[end..]
                    .find('\n')
                    .map_or(self.text.len(), |i| end + i);
                let line_end = if self.text[..line_end].ends_with('\r') {
                    line_end - 1
                } else {
                    line_end
                };
                // After a trailing `// note`, but not inside a block comment
                // that goes on to the next line: then right after the
                // statement.
                let rest = self.text[end..line_end].trim_start();
                if rest.is_empty() || rest.starts_with("//") {
                    (line_end, false)
                } else {
                    (end, false)
                }
            }
            None => (self.text.len(), true),
        }
    }

    /// The class declaration or expression spanning exactly `range`.
    fn class_at(&self, range: TextRange) -> Option<Node<'_>> {
        let mut node = self
            .tree
            .root_node()
            .descendant_for_byte_range(range.start as usize, range.end as usize)?;
        loop {
            if matches!(
                node.kind(),
                "class_declaration" | "abstract_class_declaration" | "class"
            ) && node.start_byte() <= range.start as usize
                && node.end_byte() >= range.end as usize
            {
                return Some(node);
            }
            node = node.parent()?;
        }
    }

    /// Where a new method goes in the class spanning `class_range`: right
    /// after its last method (else its last member), with the indentation
    /// of its members and of one level inside them. `None` for an empty or
    /// one-line class body.
    pub fn member_insertion(&self, class_range: TextRange) -> Option<MemberInsertion> {
        let class = self.class_at(class_range)?;
        let body = class.child_by_field_name("body")?;
        let members: Vec<Node> = body
            .named_children(&mut body.walk())
            .filter(|m| m.kind() != "comment")
            .collect();
        let last = members
            .iter()
            .rev()
            .find(|m| m.kind() == "method_definition")
            .or(members.last())?;
        let member_indent = self.indent_of(last.start_byte())?;
        let class_indent = self.indent_of(class.start_byte()).unwrap_or_default();
        if member_indent.is_empty()
            || self.line_start(last.start_byte()) == self.line_start(body.start_byte())
        {
            return None;
        }
        let unit = member_indent
            .strip_prefix(class_indent)
            .filter(|u| !u.is_empty())
            .unwrap_or(member_indent);
        Some(MemberInsertion {
            offset: last.end_byte(),
            indent: member_indent.to_string(),
            inner_indent: format!("{member_indent}{unit}"),
        })
    }

    fn line_start(&self, offset: usize) -> usize {
        self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The whitespace before the token at `offset`, if only whitespace
    /// precedes it on its line.
    fn indent_of(&self, offset: usize) -> Option<&str> {
        let before = &self.text[self.line_start(offset)..offset];
        before
            .chars()
            .all(|c| c == ' ' || c == '\t')
            .then_some(before)
    }
}

/// Where and how to add a class member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberInsertion {
    pub offset: usize,
    /// The indentation of the class's members.
    pub indent: String,
    /// One level deeper, for the member's body.
    pub inner_indent: String,
}

/// How a module writes relative specifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionStyle {
    /// `./counter`
    None,
    /// `./counter.js` (also for `counter.ts`, ESM style)
    Js,
    /// `./counter.ts` (`allowImportingTsExtensions`)
    Ts,
}

/// The relative specifier of `target` as imported from `from` in `style`;
/// `None` when the extensionless form would be ambiguous or not resolve
/// (`exists` says whether another file is in the workspace).
pub fn relative_specifier(
    from: &Path,
    target: &Path,
    style: ExtensionStyle,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<String> {
    let from_dir = from.parent()?;
    let file_name = target.file_name()?.to_str()?;
    let (stem, extension) = file_name.rsplit_once('.')?;
    if stem.is_empty() || stem.ends_with(".d") {
        return None;
    }
    let written = match style {
        ExtensionStyle::Ts => file_name.to_string(),
        ExtensionStyle::Js => {
            let js = match extension {
                "ts" | "tsx" | "js" | "jsx" => "js",
                "mts" | "mjs" => "mjs",
                "cts" | "cjs" => "cjs",
                _ => return None,
            };
            // `./x.js` finds `x.js` before `x.ts`.
            if js != extension && exists(&target.with_extension(js)) {
                return None;
            }
            format!("{stem}.{js}")
        }
        ExtensionStyle::None => {
            // Bundlers try only these without an extension, in this order.
            if !matches!(extension, "ts" | "tsx" | "js" | "jsx") {
                return None;
            }
            let others = ["ts", "tsx", "js", "jsx", "mts", "cts", "mjs", "cjs"];
            if others
                .iter()
                .filter(|e| **e != extension)
                .any(|e| exists(&target.with_extension(e)))
            {
                return None;
            }
            stem.to_string()
        }
    };
    let relative = relative_dir(from_dir, target.parent()?)?;
    let path = if relative.is_empty() {
        format!("./{written}")
    } else if relative.starts_with("..") {
        format!("{relative}/{written}")
    } else {
        format!("./{relative}/{written}")
    };
    Some(path)
}

/// `to` relative to `from`, with `/` separators (empty when equal).
fn relative_dir(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    for component in &to[common..] {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// Replaces the content of the quoted literal at `range` (quotes
/// included: `"..."`, `'...'` or a template without `${}`) with
/// `new_value`, keeping the quotes. `None` unless the literal's text is
/// exactly `old_value` (no escapes) and `new_value` needs no escaping.
pub fn replace_quoted(
    text: &str,
    range: TextRange,
    old_value: &str,
    new_value: &str,
) -> Option<TextEdit> {
    let literal = text.get(range.as_std())?;
    let quote = literal.chars().next()?;
    let quoted =
        literal.len() >= 2 && matches!(quote, '"' | '\'' | '`') && literal.ends_with(quote);
    if !quoted || &literal[1..literal.len() - 1] != old_value {
        return None;
    }
    if new_value.contains(quote)
        || new_value.contains('\\')
        || new_value.contains("${")
        || new_value.contains(['\n', '\r'])
    {
        return None;
    }
    let start = range.start as usize + 1;
    Some(TextEdit::replace(
        TextRange::new(start, start + old_value.len()),
        new_value,
    ))
}

/// Renames the name written at `range`, which is either an identifier or
/// the content of a quoted string (`env["X"]`, `{ "X": y }`): the new name
/// must fit where it goes (a valid identifier, or a string without quotes
/// to escape). `None` when the text there is not exactly `old`.
pub fn rename_at(text: &str, range: TextRange, old: &str, new: &str) -> Option<TextEdit> {
    if text.get(range.as_std())? != old {
        return None;
    }
    let before = text[..range.start as usize].chars().next_back();
    let after = text[range.end as usize..].chars().next();
    match (before, after) {
        (Some(q @ ('"' | '\'')), Some(a)) if a == q => {
            let outer = TextRange::new(range.start as usize - 1, range.end as usize + 1);
            replace_quoted(text, outer, old, new)
        }
        _ => crate::rules::support::is_js_identifier(new).then(|| TextEdit::replace(range, new)),
    }
}

/// A string literal's text without its quotes.
fn unquote(text: &str) -> &str {
    let quoted = text.len() >= 2
        && matches!(text.as_bytes()[0], b'"' | b'\'')
        && text.as_bytes()[text.len() - 1] == text.as_bytes()[0];
    if quoted {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> ParsedSource<'_> {
        parse(Path::new("/w/src/index.ts"), text).expect("parses")
    }

    /// A text parsed again is served from the cache: the very same tree
    /// (its nodes keep their ids: a child's id is its slot in the shared
    /// children array), and a text with syntax errors
    /// stays refused. Another text of the same length is parsed anew.
    #[test]
    fn parses_of_the_same_text_share_one_tree() {
        let text = "export class CacheProbe {}\n";
        let first_child = |p: ParsedSource| p.tree.root_node().child(0).map(|c| c.id());
        let first = first_child(parsed(text));
        let copy = String::from(text);
        assert_eq!(first_child(parsed(&copy)), first);
        let other = "export class CacheProbf {}\n";
        assert_ne!(first_child(parsed(other)), first);
        let broken = "export class {";
        assert!(parse(Path::new("/w/src/index.ts"), broken).is_none());
        assert!(parse(Path::new("/w/src/index.ts"), broken).is_none());
    }

    #[test]
    fn finds_a_top_level_class_and_its_export_form() {
        let source = parsed("@deco\nclass A {}\nexport class B {}\nexport default class C {}\nfunction f() { class D {} }\n");
        let a = source.top_level_class("A").unwrap();
        assert_eq!(&source.text[a.keyword_start..a.keyword_start + 5], "class");
        assert!(!a.exported);
        assert!(source.top_level_class("B").unwrap().exported);
        assert!(source.top_level_class("C").unwrap().default_export);
        assert_eq!(source.top_level_class("D"), None);
    }

    #[test]
    fn sees_type_only_and_aliased_exports() {
        let source = parsed("import { X } from './x';\nexport type { X };\nexport { Y as Z } from \"./y\";\nexport const W = 1;\n");
        assert!(source.mentions_export("X"));
        assert!(source.mentions_export("Z"));
        assert!(source.mentions_export("W"));
        assert!(!source.mentions_export("Y"));
        assert_eq!(source.quote(), '"');
    }

    #[test]
    fn inserts_after_the_leading_imports() {
        let text = "// header\nimport a from 'a';\nexport { b } from './b'; // note\n\nconst c = 1;\nimport d from 'd';\n";
        let source = parsed(text);
        let (at, at_end) = source.statement_insertion_point();
        assert!(!at_end);
        assert_eq!(
            &text[..at],
            "// header\nimport a from 'a';\nexport { b } from './b'; // note"
        );
        assert_eq!(source.quote(), '\'');
        let crlf = "import a from \"a\"\r\n\r\nexport default {}\r\n";
        let source = parsed(crlf);
        assert_eq!(source.statement_insertion_point(), (17, false));
        assert!(!source.uses_semicolons());
        let block = "import a from 'a'; /* one\n two */\nconst b = 1;\n";
        assert_eq!(parsed(block).statement_insertion_point(), (18, false));
        let none = parsed("export default {};\n");
        assert_eq!(none.statement_insertion_point(), (19, true));
    }

    #[test]
    fn relative_specifiers_follow_the_style() {
        let none = |_: &Path| false;
        let from = Path::new("/w/src/index.ts");
        let target = Path::new("/w/src/objects/counter.ts");
        assert_eq!(
            relative_specifier(from, target, ExtensionStyle::None, &none).unwrap(),
            "./objects/counter"
        );
        assert_eq!(
            relative_specifier(from, target, ExtensionStyle::Js, &none).unwrap(),
            "./objects/counter.js"
        );
        assert_eq!(
            relative_specifier(from, Path::new("/w/lib/x.ts"), ExtensionStyle::Ts, &none).unwrap(),
            "../lib/x.ts"
        );
        let js_twin = |p: &Path| p == Path::new("/w/src/objects/counter.js");
        assert_eq!(
            relative_specifier(from, target, ExtensionStyle::None, &js_twin),
            None
        );
        assert_eq!(
            relative_specifier(from, target, ExtensionStyle::Js, &js_twin),
            None
        );
    }

    #[test]
    fn member_insertion_follows_the_class_indentation() {
        let text = "export class A {\n\tfoo() {\n\t\treturn 1;\n\t}\n\tbar = 1;\n}\n";
        let source = parsed(text);
        let range = TextRange::new(7, text.len() - 1);
        let at = source.member_insertion(range).unwrap();
        assert_eq!(
            &text[..at.offset],
            "export class A {\n\tfoo() {\n\t\treturn 1;\n\t}"
        );
        assert_eq!(at.indent, "\t");
        assert_eq!(at.inner_indent, "\t\t");
        let one_line = parsed("class B { m() {} }\n");
        assert_eq!(one_line.member_insertion(TextRange::new(0, 18)), None);
    }

    #[test]
    fn quoted_and_identifier_renames() {
        let text = r#"f("Countr", 'a\'b', `x`); env.COUNTR; env["COUNTR"];"#;
        let edit = replace_quoted(text, TextRange::new(2, 10), "Countr", "Counter").unwrap();
        assert_eq!(edit.range, TextRange::new(3, 9));
        let single = text.find('\'').unwrap();
        let range = TextRange::new(single, single + 6);
        assert_eq!(&text[range.as_std()], r"'a\'b'");
        assert_eq!(replace_quoted(text, range, "a'b", "c"), None);
        let tick = text.find('`').unwrap();
        let range = TextRange::new(tick, tick + 3);
        assert!(replace_quoted(text, range, "x", "y").is_some());
        let ident = text.find("COUNTR;").unwrap();
        let range = TextRange::new(ident, ident + 6);
        assert_eq!(
            rename_at(text, range, "COUNTR", "COUNTER").unwrap().range,
            range
        );
        assert_eq!(rename_at(text, range, "COUNTR", "MY-VAR"), None);
        let quoted = text.find("COUNTR\"").unwrap();
        let range = TextRange::new(quoted, quoted + 6);
        assert_eq!(
            rename_at(text, range, "COUNTR", "MY-VAR").unwrap().new_text,
            "MY-VAR"
        );
    }
}
