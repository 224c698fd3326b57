//! Joins the models of a file's top-level nodes (see
//! [`super::build_piece`]) into the file's model: ids are renumbered into
//! one space, ranges shifted to where each piece now starts, the pieces'
//! module scopes merged into one, and the reads each piece left unresolved
//! looked up among the names declared at the top level of any piece (the
//! first declaration of a name wins, as in one scope).
//!
//! An open document keeps the pieces of the statements an edit did not
//! touch, so a keystroke rebuilds one piece and this join; a fresh build
//! goes through the same join, so both give the same model.
use tree_sitter::Node;

use super::build::FastMap;
use super::{
    AwaitSite, ClassId, ClassSem, Decl, DeclId, DeclKind, Expr, ExprId, FileSemantics, Func,
    FuncId, FuncOwner, NewExpr, ScopeData, ScopeId, ScopeKind, SemCall, Use, UseRole, UNRESOLVED,
};
use crate::text::TextRange;

/// Where one piece's ids start in the file's model.
struct Offsets {
    scope: u32,
    decl: u32,
    expr: u32,
    func: u32,
    class: u32,
    call: u32,
    delta: i64,
}

impl Offsets {
    /// Piece scope 0 is the file's module scope.
    fn scope(&self, id: ScopeId) -> ScopeId {
        if id == 0 {
            0
        } else {
            self.scope + id - 1
        }
    }
    fn decl(&self, id: DeclId) -> DeclId {
        if id == UNRESOLVED {
            id
        } else {
            self.decl + id
        }
    }
    /// Expression 0 is the shared unknown.
    fn expr(&self, id: ExprId) -> ExprId {
        if id == 0 {
            0
        } else {
            self.expr + id - 1
        }
    }
    fn exprs(&self, ids: &[ExprId]) -> Vec<ExprId> {
        ids.iter().map(|&e| self.expr(e)).collect()
    }
    fn func(&self, id: FuncId) -> FuncId {
        self.func + id
    }
    fn class(&self, id: ClassId) -> ClassId {
        self.class + id
    }
    fn call(&self, id: u32) -> u32 {
        self.call + id
    }
    fn range(&self, r: TextRange) -> TextRange {
        let shift = |x: u32| (i64::from(x) + self.delta).max(0) as u32;
        TextRange {
            start: shift(r.start),
            end: shift(r.end),
        }
    }
    fn role(&self, role: UseRole) -> UseRole {
        match role {
            UseRole::Receiver(call) => UseRole::Receiver(self.call(call)),
            UseRole::Argument(call, index) => UseRole::Argument(self.call(call), index),
            other => other,
        }
    }
}

/// The model of a file from its pieces, each with how far it moved since
/// it was built (new start minus the start it was built at). `root` is the
/// file's syntax tree root, `text` its current text.
pub fn assemble<'p>(
    pieces: impl IntoIterator<Item = (&'p FileSemantics, i64)>,
    root: Node,
    text: &str,
) -> FileSemantics {
    let pieces: Vec<(&FileSemantics, i64)> = pieces.into_iter().collect();
    let total =
        |len: fn(&FileSemantics) -> usize| pieces.iter().map(|(p, _)| len(p)).sum::<usize>();
    // Sized once: growing these vectors copied them several times over.
    let mut out = FileSemantics {
        scopes: Vec::with_capacity(total(|p| p.scopes.len()) + 1),
        decls: Vec::with_capacity(total(|p| p.decls.len())),
        exprs: Vec::with_capacity(total(|p| p.exprs.len()) + 1),
        funcs: Vec::with_capacity(total(|p| p.funcs.len())),
        classes: Vec::with_capacity(total(|p| p.classes.len())),
        calls: Vec::with_capacity(total(|p| p.calls.len())),
        uses: Vec::with_capacity(total(|p| p.uses.len() + p.free_reads.len())),
        env_reads: Vec::with_capacity(total(|p| p.env_reads.len())),
        ..FileSemantics::default()
    };
    out.exprs.push(Expr::Unknown);
    out.scopes.push(ScopeData {
        kind: ScopeKind::Module,
        range: TextRange::new(0, text.len()),
        parent: None,
    });
    let mut free_reads: Vec<Use> = Vec::new();
    let mut free_assigns: Vec<(TextRange, ExprId)> = Vec::new();
    for (piece, delta) in pieces {
        let o = Offsets {
            scope: out.scopes.len() as u32,
            decl: out.decls.len() as u32,
            expr: out.exprs.len() as u32,
            func: out.funcs.len() as u32,
            class: out.classes.len() as u32,
            call: out.calls.len() as u32,
            delta,
        };
        out.scopes
            .extend(piece.scopes.iter().skip(1).map(|s| ScopeData {
                kind: match s.kind {
                    ScopeKind::Class(c) => ScopeKind::Class(o.class(c)),
                    ScopeKind::Function(f) => ScopeKind::Function(o.func(f)),
                    other => other,
                },
                range: o.range(s.range),
                parent: s.parent.map(|p| o.scope(p)),
            }));
        out.decls.extend(piece.decls.iter().map(|d| Decl {
            name: d.name.clone(),
            range: o.range(d.range),
            scope: o.scope(d.scope),
            kind: match &d.kind {
                DeclKind::Param { func, index } => DeclKind::Param {
                    func: o.func(*func),
                    index: *index,
                },
                DeclKind::Function(f) => DeclKind::Function(o.func(*f)),
                DeclKind::Class(c) => DeclKind::Class(o.class(*c)),
                other => other.clone(),
            },
            values: o.exprs(&d.values),
        }));
        out.exprs
            .extend(piece.exprs.iter().skip(1).map(|e| remap_expr(e, &o)));
        out.funcs.extend(piece.funcs.iter().map(|f| Func {
            range: o.range(f.range),
            params: f.params,
            param_types: f.param_types.clone(),
            returns: o.exprs(&f.returns),
            is_async: f.is_async,
            owner: match &f.owner {
                FuncOwner::Method {
                    class,
                    name,
                    is_static,
                } => FuncOwner::Method {
                    class: o.class(*class),
                    name: name.clone(),
                    is_static: *is_static,
                },
                FuncOwner::Callback { call, arg } => FuncOwner::Callback {
                    call: o.call(*call),
                    arg: *arg,
                },
                other => other.clone(),
            },
        }));
        out.classes.extend(piece.classes.iter().map(|c| {
            ClassSem {
                name: c.name.clone(),
                range: o.range(c.range),
                heritage: c.heritage.map(|h| o.expr(h)),
                fields: c
                    .fields
                    .iter()
                    .map(|(name, values)| (name.clone(), o.exprs(values)))
                    .collect(),
                methods: c
                    .methods
                    .iter()
                    .map(|(name, f)| (name.clone(), o.func(*f)))
                    .collect(),
                constructor: c.constructor.map(|f| o.func(f)),
            }
        }));
        out.calls.extend(piece.calls.iter().map(|c| SemCall {
            range: o.range(c.range),
            name_range: o.range(c.name_range),
            name: c.name.clone(),
            callee: o.expr(c.callee),
            receiver: c.receiver.map(|r| o.expr(r)),
            receiver_range: c.receiver_range.map(|r| o.range(r)),
            args: o.exprs(&c.args),
            arg_ranges: c.arg_ranges.iter().map(|&r| o.range(r)).collect(),
            value: o.expr(c.value),
            is_new: c.is_new,
            func: c.func.map(|f| o.func(f)),
            floating: c.floating,
        }));
        let remap_use = |u: &Use| Use {
            decl: o.decl(u.decl),
            range: o.range(u.range),
            role: o.role(u.role),
        };
        out.uses.extend(piece.uses.iter().map(remap_use));
        free_reads.extend(piece.free_reads.iter().map(remap_use));
        free_assigns.extend(
            piece
                .free_assigns
                .iter()
                .map(|&(at, value)| (o.range(at), o.expr(value))),
        );
        out.env_reads.extend(
            piece
                .env_reads
                .iter()
                .map(|&(at, e)| ((i64::from(at) + delta).max(0) as u32, o.expr(e))),
        );
        out.awaits.extend(piece.awaits.iter().map(|a| AwaitSite {
            range: o.range(a.range),
            value: o.expr(a.value),
            func: a.func.map(|f| o.func(f)),
            caught: a.caught,
        }));
        out.truncated |= piece.truncated;
    }

    // Names declared at the top level of any piece, first one wins.
    let mut top: FastMap<&str, DeclId> = FastMap::default();
    for (index, decl) in out.decls.iter().enumerate() {
        if decl.scope == 0 {
            top.entry(&*decl.name).or_insert(index as DeclId);
        }
    }
    let mut resolved_exprs = Vec::new();
    for (index, expr) in out.exprs.iter().enumerate() {
        if let Expr::Global(name) = expr {
            if let Some(&decl) = top.get(&**name) {
                resolved_exprs.push((index, decl));
            }
        }
    }
    let name_at = |r: TextRange| text.get(r.start as usize..r.end as usize).unwrap_or("");
    for mut read in free_reads {
        if let Some(&decl) = top.get(name_at(read.range)) {
            read.decl = decl;
            out.uses.push(read);
        }
    }
    let assigned: Vec<(DeclId, ExprId)> = free_assigns
        .iter()
        .filter_map(|&(at, value)| Some((*top.get(name_at(at))?, value)))
        .collect();
    drop(top);
    for (index, decl) in resolved_exprs {
        out.exprs[index] = Expr::Ref(decl);
    }
    for (decl, value) in assigned {
        out.decls[decl as usize].values.push(value);
    }
    out.uses.sort_by_key(|u| (u.decl, u.range.start));
    out.module_items_broken = super::build::module_items_broken(root);
    out
}

fn remap_expr(e: &Expr, o: &Offsets) -> Expr {
    match e {
        Expr::Unknown => Expr::Unknown,
        Expr::Ref(d) => Expr::Ref(o.decl(*d)),
        Expr::Global(name) => Expr::Global(name.clone()),
        Expr::This(c) => Expr::This(o.class(*c)),
        Expr::Member(object, key) => Expr::Member(o.expr(*object), key.clone()),
        Expr::Call { callee, args } => Expr::Call {
            callee: o.expr(*callee),
            args: o.exprs(args).into(),
        },
        Expr::New(new) => Expr::New(Box::new(NewExpr {
            callee: o.expr(new.callee),
            ty_args: new.ty_args.clone(),
            args: o.exprs(&new.args).into(),
        })),
        Expr::Param(f, index) => Expr::Param(o.func(*f), *index),
        Expr::Func(f) => Expr::Func(o.func(*f)),
        Expr::Class(c) => Expr::Class(o.class(*c)),
        Expr::Str(s) => Expr::Str(s.clone()),
        Expr::Number(n) => Expr::Number(n.clone()),
        Expr::Object(members) => Expr::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), o.expr(*v)))
                .collect(),
        ),
        Expr::Array(items) => Expr::Array(o.exprs(items).into()),
        Expr::Join(items) => Expr::Join(o.exprs(items).into()),
        Expr::Template(items) => Expr::Template(o.exprs(items).into()),
    }
}
