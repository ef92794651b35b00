//! The top of a plain-text essay: its title line.

use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::essay::{Access, Creator};
use crate::parse::{HeadingRules, checked_title};

use super::Line;

/// What the top of an essay says about it.
#[derive(Debug)]
pub(super) struct FrontMatter {
    /// The essay's title.
    pub(super) title: String,
    /// The people it credits.
    pub(super) creators: Vec<Creator>,
}

/// Takes the title off the top of `lines`: the first non-blank line.
pub(super) fn take(
    path: &Path,
    lines: &mut Vec<Line<'_>>,
    _headings: &HeadingRules,
    _warnings: &mut Vec<Warning>,
) -> Result<FrontMatter> {
    let Some(at) = lines.iter().position(|l| !l.text.trim().is_empty()) else {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    };
    let line = lines.remove(at);
    if line.access == Access::Paid {
        return Err(Error::PaidTitle {
            path: path.to_path_buf(),
            line: line.number,
        });
    }
    lines.drain(..at);
    Ok(FrontMatter {
        title: checked_title(path, line.text.trim().to_string())?,
        creators: Vec::new(),
    })
}
