//! Moving facts by a byte offset: the facts of a top-level statement are
//! kept relative to its start, so an edit before it only changes where
//! they are spliced in.
//!
//! Every impl destructures its type completely, so a new field with a
//! range fails to compile until it is shifted here too.
use crate::index::{
    Arg, ArgValue, CallSite, CallUsage, ClassInfo, Constructor, EnvAccess, Export, Field,
    FileSummary, Heritage, Import, ImportKind, Method, Scope, StorageUse, Suppression,
    WebSocketPairBinding,
};
use crate::text::{Spanned, TextRange};

/// Moves every byte offset by `delta`. Offsets never leave `0..=u32::MAX`
/// for facts that lie inside the text; saturating keeps a bug from
/// panicking.
pub(crate) trait Shift {
    fn shift(&mut self, delta: i64);
}

fn offset(value: u32, delta: i64) -> u32 {
    (i64::from(value) + delta).clamp(0, i64::from(u32::MAX)) as u32
}

impl Shift for TextRange {
    fn shift(&mut self, delta: i64) {
        self.start = offset(self.start, delta);
        self.end = offset(self.end, delta);
    }
}

impl<T> Shift for Spanned<T> {
    fn shift(&mut self, delta: i64) {
        self.range.shift(delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: i64) {
        if let Some(value) = self {
            value.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: i64) {
        for value in self {
            value.shift(delta);
        }
    }
}

impl Shift for FileSummary {
    fn shift(&mut self, delta: i64) {
        let FileSummary {
            classes,
            imports,
            exports,
            env_accesses,
            env_type_members,
            env_member_types,
            storage_uses,
            syntax_error_count: _,
            calls,
            websocket_pairs,
            suppressions,
            semantic: _,
        } = self;
        classes.shift(delta);
        imports.shift(delta);
        exports.shift(delta);
        env_accesses.shift(delta);
        env_type_members.shift(delta);
        for (_, ty) in env_member_types {
            ty.shift(delta);
        }
        storage_uses.shift(delta);
        calls.shift(delta);
        websocket_pairs.shift(delta);
        suppressions.shift(delta);
    }
}

impl Shift for ClassInfo {
    fn shift(&mut self, delta: i64) {
        let ClassInfo {
            name,
            range,
            heritage,
            methods,
            fields,
            constructor,
            exported_inline: _,
            default_export: _,
        } = self;
        name.shift(delta);
        range.shift(delta);
        heritage.shift(delta);
        methods.shift(delta);
        fields.shift(delta);
        constructor.shift(delta);
    }
}

impl Shift for Heritage {
    fn shift(&mut self, delta: i64) {
        let Heritage {
            text: _,
            root: _,
            member: _,
            call_args: _,
            range,
        } = self;
        range.shift(delta);
    }
}

impl Shift for Method {
    fn shift(&mut self, delta: i64) {
        let Method {
            name,
            body,
            visibility: _,
            is_static: _,
            is_async: _,
            is_field: _,
            params: _,
            range,
        } = self;
        name.shift(delta);
        body.shift(delta);
        range.shift(delta);
    }
}

impl Shift for Field {
    fn shift(&mut self, delta: i64) {
        let Field {
            name,
            is_static: _,
            collection: _,
        } = self;
        name.shift(delta);
    }
}

impl Shift for Constructor {
    fn shift(&mut self, delta: i64) {
        let Constructor {
            params: _,
            range,
            name_range,
            super_call,
            this_before_super,
        } = self;
        range.shift(delta);
        name_range.shift(delta);
        super_call.shift(delta);
        this_before_super.shift(delta);
    }
}

impl Shift for Import {
    fn shift(&mut self, delta: i64) {
        let Import {
            specifier,
            kind,
            type_only: _,
        } = self;
        specifier.shift(delta);
        match kind {
            ImportKind::Named {
                imported: _,
                local: _,
            }
            | ImportKind::Default { local: _ }
            | ImportKind::Namespace { local: _ }
            | ImportKind::SideEffect
            | ImportKind::Dynamic => {}
        }
    }
}

impl Shift for Export {
    fn shift(&mut self, delta: i64) {
        match self {
            Export::Local { exported, local: _ } => exported.shift(delta),
            Export::ReExport {
                exported,
                imported: _,
                specifier,
            } => {
                exported.shift(delta);
                specifier.shift(delta);
            }
            Export::Star { specifier } => specifier.shift(delta),
            Export::StarAs {
                exported,
                specifier,
            } => {
                exported.shift(delta);
                specifier.shift(delta);
            }
            Export::DefaultExpression { range } => range.shift(delta),
        }
    }
}

impl Shift for EnvAccess {
    fn shift(&mut self, delta: i64) {
        let EnvAccess {
            name,
            via: _,
            member,
            enclosing_class: _,
        } = self;
        name.shift(delta);
        member.shift(delta);
    }
}

impl Shift for StorageUse {
    fn shift(&mut self, delta: i64) {
        let StorageUse {
            member,
            receiver: _,
            enclosing_class: _,
        } = self;
        member.shift(delta);
    }
}

impl Shift for CallSite {
    fn shift(&mut self, delta: i64) {
        let CallSite {
            callee: _,
            name_range,
            range,
            is_new: _,
            args,
            usage,
            scope,
        } = self;
        name_range.shift(delta);
        range.shift(delta);
        args.shift(delta);
        match usage {
            CallUsage::Awaited
            | CallUsage::Returned
            | CallUsage::AssignedTo(_)
            | CallUsage::Argument
            | CallUsage::Floating
            | CallUsage::Other => {}
        }
        scope.shift(delta);
    }
}

impl Shift for Scope {
    fn shift(&mut self, delta: i64) {
        let Scope {
            class: _,
            method: _,
            function,
            in_loop: _,
            in_finally: _,
            in_try: _,
            after_await: _,
            in_awaited_promise: _,
        } = self;
        function.shift(delta);
    }
}

impl Shift for Arg {
    fn shift(&mut self, delta: i64) {
        let Arg { range, value } = self;
        range.shift(delta);
        value.shift(delta);
    }
}

impl Shift for ArgValue {
    fn shift(&mut self, delta: i64) {
        match self {
            ArgValue::Object(props) => {
                for (_, arg) in props {
                    arg.shift(delta);
                }
            }
            ArgValue::Array(elements) => elements.shift(delta),
            ArgValue::Function { is_async: _, body } => body.shift(delta),
            ArgValue::String { value: _, len: _ }
            | ArgValue::Template {
                raw: _,
                len: _,
                interpolations: _,
            }
            | ArgValue::Number(_)
            | ArgValue::Identifier(_)
            | ArgValue::Member(_)
            | ArgValue::Call(_)
            | ArgValue::Spread
            | ArgValue::Other => {}
        }
    }
}

impl Shift for WebSocketPairBinding {
    fn shift(&mut self, delta: i64) {
        let WebSocketPairBinding {
            names: _,
            destructured: _,
            range,
            scope,
        } = self;
        range.shift(delta);
        scope.shift(delta);
    }
}

impl Shift for Suppression {
    fn shift(&mut self, delta: i64) {
        let Suppression {
            rules: _,
            whole_file: _,
            range,
        } = self;
        range.shift(delta);
    }
}
