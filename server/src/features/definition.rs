//! Go to definition and references (being written).
use super::Target;
use crate::files::FileId;
use crate::model::Workspace;

pub fn definition(ws: &Workspace, file: FileId, offset: usize) -> Vec<Target> {
    let _ = (ws, file, offset);
    Vec::new()
}

pub fn references(ws: &Workspace, file: FileId, offset: usize) -> Vec<Target> {
    let _ = (ws, file, offset);
    Vec::new()
}
