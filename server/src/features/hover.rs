//! Hover (being written).
use super::HoverResult;
use crate::files::FileId;
use crate::model::Workspace;

pub fn hover(ws: &Workspace, file: FileId, offset: usize) -> Option<HoverResult> {
    let _ = (ws, file, offset);
    None
}
