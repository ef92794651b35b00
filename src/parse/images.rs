//! Images an essay refers to, read from beside it: paths confined to the
//! essay's folder, type and content checked, each file packed once under a
//! name made from its bytes. Markdown images and Aozora illustrations
//! (挿絵) both come through here.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::document::Image;
use crate::error::{Error, Result, Warning};
use crate::media;
use crate::xml::stable_hash;

/// Resolves image references against the essay's folder and reads them.
pub(crate) struct ImagePacker {
    essay: PathBuf,
    folder: PathBuf,
    packed: HashMap<String, Image>,
    /// Where the paid part being rendered starts, if it is one: messages
    /// about its images name this line and never the image's source.
    pub(crate) paid_part_line: Option<usize>,
}

impl ImagePacker {
    /// A packer for the images of the essay at `essay`.
    pub(crate) fn new(essay: &Path) -> Self {
        let folder = essay
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        ImagePacker {
            essay: essay.to_path_buf(),
            folder: folder.to_path_buf(),
            packed: HashMap::new(),
            paid_part_line: None,
        }
    }

    /// How messages name the image `src`.
    fn describe(&self, src: &str) -> String {
        match self.paid_part_line {
            Some(line) => format!("an image in the paid part starting at line {line}"),
            None => format!("image '{src}'"),
        }
    }

    fn error(&self, src: &str, problem: impl Into<String>) -> Error {
        Error::Image {
            path: self.essay.clone(),
            image: self.describe(src),
            problem: problem.into(),
        }
    }

    /// The packed image for `src`, or `None` (with a warning) for images
    /// that live elsewhere (`https:`, `data:`) and are left out.
    pub(crate) fn pack(&mut self, src: &str, warnings: &mut Vec<Warning>) -> Result<Option<Image>> {
        if let Some(image) = self.packed.get(src) {
            return Ok(Some(image.clone()));
        }
        let decoded = percent_encoding::percent_decode_str(src)
            .decode_utf8_lossy()
            .into_owned();
        // The sanitiser empties sources with other schemes (`data:`, `ftp:`).
        if has_scheme(&decoded) || decoded.trim().is_empty() {
            warnings.push(Warning::new(
                &self.essay,
                None,
                format!(
                    "{} is not a local file; left out (its alt text stays)",
                    self.describe(src)
                ),
            ));
            return Ok(None);
        }
        let relative = Path::new(&decoded);
        if relative.is_absolute() || decoded.starts_with('/') || decoded.starts_with('\\') {
            return Err(self.error(src, "is an absolute path; use a path relative to the essay"));
        }
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(self.error(
                src,
                "leads outside the essay's folder; move the image beside the essay",
            ));
        }
        let media_type = media::image_type(relative).ok_or_else(|| {
            self.error(
                src,
                "is not a supported image type; use .jpg, .png, .gif, .webp or .svg",
            )
        })?;
        let full = self.folder.join(relative);
        let inside = match (full.canonicalize(), self.folder.canonicalize()) {
            (Ok(file), Ok(folder)) => file.starts_with(folder),
            _ => {
                let place = match self.paid_part_line {
                    Some(_) => "beside the essay".to_string(),
                    None => format!("at {}", full.display()),
                };
                return Err(self.error(src, format!("not found {place}")));
            }
        };
        if !inside {
            return Err(self.error(src, "is a link leading outside the essay's folder"));
        }
        let data =
            std::fs::read(&full).map_err(|e| self.error(src, format!("cannot be read: {e}")))?;
        if !media::looks_like(media_type, &data) {
            return Err(self.error(src, format!("is not a valid {media_type} file")));
        }
        if media_type == "image/svg+xml"
            && let Some(problem) = media::svg_problem(&data)
        {
            return Err(self.error(src, problem));
        }
        let extension = relative
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("img")
            .to_ascii_lowercase();
        let image = Image {
            href: format!("images/{:016x}.{extension}", stable_hash(&data)),
            media_type,
            data: Arc::new(data),
            alt: String::new(),
        };
        self.packed.insert(src.to_string(), image.clone());
        Ok(Some(image))
    }
}

/// Whether `reference` starts with a URL scheme such as `https:` or `data:`.
fn has_scheme(reference: &str) -> bool {
    match reference.find(':') {
        Some(colon) => {
            let scheme = &reference[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && colon > 1 // a Windows drive letter is not a scheme
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_paths_are_confined_to_the_essay_folder() {
        let mut packer = ImagePacker::new(Path::new("tests/x.md"));
        let mut warnings = Vec::new();
        for bad in [
            "/etc/passwd.png",
            "../../etc/passwd",
            "../x.png",
            "missing.png",
            "a.exe",
        ] {
            assert!(packer.pack(bad, &mut warnings).is_err(), "{bad}");
        }
        assert!(
            packer
                .pack("data:image/png;base64,AAAA", &mut warnings)
                .unwrap()
                .is_none()
        );
        assert_eq!(warnings.len(), 1);
    }
}
