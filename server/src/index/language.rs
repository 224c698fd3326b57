//! Which tree-sitter grammar a source file needs.
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceLanguage {
    TypeScript,
    Tsx,
    JavaScript,
}

impl SourceLanguage {
    pub fn from_path(path: &Path) -> Option<SourceLanguage> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".d.ts")
            || name.ends_with(".ts")
            || name.ends_with(".mts")
            || name.ends_with(".cts")
        {
            Some(SourceLanguage::TypeScript)
        } else if name.ends_with(".tsx") {
            Some(SourceLanguage::Tsx)
        } else if name.ends_with(".js") || name.ends_with(".mjs") || name.ends_with(".cjs") {
            Some(SourceLanguage::JavaScript)
        } else if name.ends_with(".jsx") {
            Some(SourceLanguage::Tsx)
        } else {
            None
        }
    }
}
