//! Signature help inside the arguments of a Durable Object API call the
//! knowledge base describes (`ctx.storage.setAlarm(`, `env.X.getByName(`,
//! `ctx.acceptWebSocket(`, `sql.exec(`, ...) and of a stub's RPC method
//! (`stub.increment(`).

use super::context::{chain_before, ident_at, receiver_end, target_classes, Ctx, Ty};
use crate::files::FileId;
use crate::knowledge;
use crate::model::Workspace;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    /// The signature as TypeScript writes it.
    pub label: String,
    /// Markdown.
    pub documentation: String,
    /// Each parameter's byte range in `label`.
    pub parameters: Vec<(usize, usize)>,
    /// The parameter the cursor is in (0-based).
    pub active_parameter: usize,
}

/// How far back the opening parenthesis is looked for: a call's arguments
/// rarely span more.
const MAX_LOOKBACK: usize = 4096;

pub fn signature_help(ws: &Workspace, file: FileId, offset: usize) -> Option<SignatureHelp> {
    let ctx = Ctx::new(ws, file, offset)?;
    ws.summary(file)?;
    let (paren, active) = open_call(ctx.text, ctx.offset)?;
    let name_end = ctx.text[..paren].trim_end().len();
    let ident = ident_at(ctx.text, name_end)?;
    if ident.end as usize != name_end {
        return None;
    }
    let name = &ctx.text[ident.as_std()];
    let receiver = receiver_end(ctx.text, ident.start as usize)?;
    let chain = chain_before(ctx.text, receiver)?;
    let (label, documentation) = match ctx.resolve(&chain)? {
        Ty::Stub(target) => {
            let workers = ctx.workers();
            let classes = target_classes(ws, &workers, &target);
            let (_, class) = classes.first()?;
            let method = class.methods.iter().find(|m| m.name.value == name)?;
            let class_name = class.name.as_ref()?.value.clone();
            (
                format!("{name}({})", method.params.join(", ")),
                format!("RPC method of Durable Object `{class_name}`; through the stub it returns a Promise."),
            )
        }
        other => {
            let interface = knowledge::interface(other.interface()?)?;
            let member = interface.member(name)?;
            if member.kind != knowledge::MemberKind::Method {
                return None;
            }
            let mut documentation = member.description.to_string();
            if !member.limits.is_empty() {
                documentation.push_str("\n\n**Limits**");
                for limit in member.limits {
                    documentation.push_str(&format!("\n- {limit}"));
                }
            }
            documentation.push_str(&format!("\n\n[Cloudflare docs]({})", member.docs));
            (member.signature.to_string(), documentation)
        }
    };
    let parameters = parameter_ranges(&label);
    Some(SignatureHelp {
        active_parameter: active.min(parameters.len().saturating_sub(1)),
        label,
        documentation,
        parameters,
    })
}

/// The unclosed `(` before `offset` and the index of the argument the
/// cursor is in (top-level commas since the parenthesis). Strings,
/// template literals and nested brackets are skipped.
fn open_call(text: &str, offset: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let offset = offset.min(b.len());
    let floor = offset.saturating_sub(MAX_LOOKBACK);
    // Scan forward from the floor to know which bytes are inside strings,
    // then walk the brackets backwards.
    // (bracket, its offset, commas seen at its level)
    let mut depth_stack: Vec<(u8, usize, usize)> = Vec::new();
    let mut i = floor;
    let mut quote: Option<u8> = None;
    while i < offset {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' | b'\'' | b'`' => quote = Some(c),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < offset && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth_stack.push((c, i, 0)),
            b')' | b']' | b'}' => {
                depth_stack.pop();
            }
            b',' => {
                if let Some(top) = depth_stack.last_mut() {
                    top.2 += 1;
                }
            }
            b';' if depth_stack.iter().all(|(c, _, _)| *c != b'(') => depth_stack.clear(),
            _ => {}
        }
        i += 1;
    }
    // Inside an object or array argument, the call around it is still the
    // one being written.
    let &(_, at, commas) = depth_stack.iter().rev().find(|(c, _, _)| *c == b'(')?;
    Some((at, commas))
}

/// The byte ranges of the parameters in a `name(a: T, b?: U): R`
/// signature: top-level commas inside the first parenthesis.
fn parameter_ranges(label: &str) -> Vec<(usize, usize)> {
    let Some(open) = label.find('(') else {
        return Vec::new();
    };
    let b = label.as_bytes();
    let mut depth = 0i32;
    let mut start = open + 1;
    let mut out = Vec::new();
    for (i, &c) in b.iter().enumerate().skip(open + 1) {
        match c {
            b'(' | b'<' | b'{' | b'[' => depth += 1,
            b')' if depth == 0 => {
                let part = label[start..i].trim();
                if !part.is_empty() {
                    let lead = label[start..i].len() - label[start..i].trim_start().len();
                    out.push((start + lead, start + lead + part.len()));
                }
                return out;
            }
            // `=>` in a callback type is no closing bracket.
            b'>' if i > 0 && b[i - 1] == b'=' => {}
            b')' | b'>' | b'}' | b']' => depth -= 1,
            b',' if depth == 0 => {
                let part = &label[start..i];
                let lead = part.len() - part.trim_start().len();
                out.push((start + lead, start + lead + part.trim().len()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_split_at_top_level_commas() {
        let label = "setAlarm(scheduledTime: number | Date, options?: DurableObjectSetAlarmOptions): Promise<void>";
        let ranges = parameter_ranges(label);
        let names: Vec<&str> = ranges.iter().map(|&(s, e)| &label[s..e]).collect();
        assert_eq!(
            names,
            [
                "scheduledTime: number | Date",
                "options?: DurableObjectSetAlarmOptions"
            ]
        );
        let label =
            "get<T>(keys: string[], options?: { a: number, b: string }): Promise<Map<string, T>>";
        let names: Vec<&str> = parameter_ranges(label)
            .iter()
            .map(|&(s, e)| &label[s..e])
            .collect();
        assert_eq!(
            names,
            ["keys: string[]", "options?: { a: number, b: string }"]
        );
        assert!(parameter_ranges("deleteAll(): Promise<void>").is_empty());
        let label = "transaction<T>(closure: (txn: DurableObjectTransaction) => Promise<T>, x: number): Promise<T>";
        let names: Vec<&str> = parameter_ranges(label)
            .iter()
            .map(|&(s, e)| &label[s..e])
            .collect();
        assert_eq!(
            names,
            [
                "closure: (txn: DurableObjectTransaction) => Promise<T>",
                "x: number"
            ]
        );
    }

    #[test]
    fn the_open_call_and_argument_index_are_found() {
        let text =
            "this.ctx.storage.setAlarm(Date.now() + 1000, { allowConcurrency: true, x: f(1, 2) ";
        let (paren, active) = open_call(text, text.len()).unwrap();
        assert_eq!(&text[..paren], "this.ctx.storage.setAlarm");
        assert_eq!(active, 1);
        let text = "sql.exec(\"SELECT a, b FROM t WHERE x = ?\", ";
        assert_eq!(open_call(text, text.len()).map(|(_, a)| a), Some(1));
        let text = "f(a); g";
        assert_eq!(open_call(text, text.len()), None);
    }
}
