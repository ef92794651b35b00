//! Stage 3: choosing the edition. The preview drops every paid part and
//! puts a notice where each one was; the full edition keeps everything.
//! This is the only place that decides what paid text a book contains.

use serde::Deserialize;

use crate::essay::{Access, Block, Essay};

/// Which edition of a book to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Free text only, with notices where paid parts were.
    Preview,
    /// Everything.
    Full,
}

/// The editions a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Editions {
    /// The preview edition only (the default).
    #[default]
    Preview,
    /// The full edition only.
    Full,
    /// The preview, and the full edition beside it as `<stem>.full.epub`.
    Both,
}

impl Editions {
    /// The editions to write, preview first.
    pub fn list(self) -> &'static [Edition] {
        match self {
            Editions::Preview => &[Edition::Preview],
            Editions::Full => &[Edition::Full],
            Editions::Both => &[Edition::Preview, Edition::Full],
        }
    }
}

/// The blocks of `essay` that `edition` contains, in order; in a preview each
/// paid part is replaced by `notice`.
pub fn blocks<'a>(
    essay: &'a Essay,
    edition: Edition,
    notice: &'a Block,
) -> impl Iterator<Item = &'a Block> + 'a {
    essay.parts.iter().flat_map(move |part| {
        let blocks: Box<dyn Iterator<Item = &'a Block>> = match (edition, part.access) {
            (Edition::Preview, Access::Paid) => Box::new(std::iter::once(notice)),
            _ => Box::new(part.blocks.iter()),
        };
        blocks
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::essay::Part;

    fn essay() -> Essay {
        let p = |t: &str| Block::Paragraph(t.to_string());
        Essay {
            path: "e.txt".into(),
            title: "T".into(),
            parts: vec![
                Part {
                    access: Access::Free,
                    blocks: vec![p("free1")],
                },
                Part {
                    access: Access::Paid,
                    blocks: vec![p("paid1"), p("paid2")],
                },
                Part {
                    access: Access::Free,
                    blocks: vec![p("free2")],
                },
                Part {
                    access: Access::Paid,
                    blocks: vec![p("paid3")],
                },
            ],
        }
    }

    #[test]
    fn preview_replaces_each_paid_part_with_one_notice() {
        let essay = essay();
        let notice = Block::PaidNotice("N".into());
        let got: Vec<_> = blocks(&essay, Edition::Preview, &notice).cloned().collect();
        let p = |t: &str| Block::Paragraph(t.to_string());
        assert_eq!(
            got,
            [p("free1"), notice.clone(), p("free2"), notice.clone()]
        );
    }

    #[test]
    fn full_keeps_everything() {
        let essay = essay();
        let notice = Block::PaidNotice("N".into());
        assert_eq!(blocks(&essay, Edition::Full, &notice).count(), 5);
    }

    #[test]
    fn both_lists_preview_first() {
        assert_eq!(Editions::Both.list(), [Edition::Preview, Edition::Full]);
    }
}
