//! The people a book credits and what each did: an author, or a contributor
//! such as a translator. An Aozora Bunko header names them in lines like
//! `山田太郎訳`; the package document writes each with its MARC relator code,
//! so readers can tell the author from the translator.

/// What a creator did for the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Wrote it (`dc:creator`).
    Author,
    /// Translated it (訳, 編訳).
    Translator,
    /// Edited or revised it (編, 校訂).
    Editor,
    /// Drew its pictures (画, 絵).
    Illustrator,
}

impl Role {
    /// The MARC relator code of the role (`aut`, `trl`, `edt`, `ill`), as
    /// EPUB's `role` property with `scheme="marc:relators"` expects it.
    pub fn marc_code(self) -> &'static str {
        match self {
            Role::Author => "aut",
            Role::Translator => "trl",
            Role::Editor => "edt",
            Role::Illustrator => "ill",
        }
    }
}

/// Credit-line endings that name a contributor's role, longest first so
/// that 編訳 is not read as 訳.
const ROLE_SUFFIXES: [(&str, Role); 6] = [
    ("編訳", Role::Translator),
    ("校訂", Role::Editor),
    ("訳", Role::Translator),
    ("編", Role::Editor),
    ("画", Role::Illustrator),
    ("絵", Role::Illustrator),
];

/// A person credited in a book, with what they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    /// The name, without a role word.
    pub name: String,
    /// What they did.
    pub role: Role,
}

impl Creator {
    /// An author named `name`.
    pub fn author(name: impl Into<String>) -> Creator {
        Creator {
            name: name.into(),
            role: Role::Author,
        }
    }

    /// The contributor a credit line such as `山田太郎訳` or `山田太郎 編`
    /// names (its name without the role word, or the whole line if that
    /// would leave no name), or `None` if the line ends in no role word.
    pub fn contributor_of(line: &str) -> Option<Creator> {
        let line = line.trim();
        ROLE_SUFFIXES.iter().find_map(|(suffix, role)| {
            let name = line.strip_suffix(suffix)?.trim_end();
            Some(Creator {
                name: if name.is_empty() { line } else { name }.to_string(),
                role: *role,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_lines_name_contributors_by_their_role_word() {
        let contributor =
            |line| Creator::contributor_of(line).map(|c| (c.name, c.role.marc_code()));
        assert_eq!(contributor("山田太郎訳"), Some(("山田太郎".into(), "trl")));
        assert_eq!(contributor("佐藤 編訳"), Some(("佐藤".into(), "trl")));
        assert_eq!(
            contributor("鈴木一郎校訂"),
            Some(("鈴木一郎".into(), "edt"))
        );
        assert_eq!(contributor("田中編"), Some(("田中".into(), "edt")));
        assert_eq!(contributor("高橋絵"), Some(("高橋".into(), "ill")));
        assert_eq!(contributor("伊藤画"), Some(("伊藤".into(), "ill")));
        // A role word alone keeps itself as the name.
        assert_eq!(contributor("訳"), Some(("訳".into(), "trl")));
        assert_eq!(contributor("山田花子"), None);
        assert_eq!(Creator::author("甲").role.marc_code(), "aut");
    }
}
