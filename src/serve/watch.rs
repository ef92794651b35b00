//! Watching what a book is made of, so that a save rebuilds it: every
//! input folder (recursively), the folder of every single file read —
//! essays, config, cover, stylesheet, font — and the folders images come
//! from. Single files are watched through their folder, not their inode,
//! so editors that save by writing a new file and renaming it over the old
//! one (vim, many IDEs) are seen too. Changes are debounced: a burst of
//! saves is one batch, so one rebuild. Files being opened (the build
//! itself reads every one) are no change.
//!
//! The debouncing is done here rather than by `notify-debouncer-mini`:
//! that one reports no event kinds, so it cannot tell the build's own
//! reading (inotify's open events) from a save, and the server rebuilt in
//! a loop.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use wenji::media;
use wenji::settings::Options;

/// How long the files must be quiet after a change before the book is rebuilt.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// The longest a stream of changes postpones a rebuild.
pub const LONGEST_WAIT: Duration = Duration::from_millis(750);

/// File-system events as the watcher sends them.
pub type Changes = Receiver<notify::Result<Event>>;

/// The paths a book depends on, all absolute.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Folders every file below which counts (input folders).
    trees: Vec<PathBuf>,
    /// Folders in which only image files count (beside single essays,
    /// resource folders, `covers/`).
    image_trees: Vec<PathBuf>,
    /// Single files (essays given by name, config, cover, stylesheet, font).
    files: Vec<PathBuf>,
}

impl Plan {
    /// What the book made of `inputs` with `config` (the config file,
    /// present or not yet) and `options` (when they could be resolved)
    /// reads.
    pub fn new(inputs: &[PathBuf], config: Option<&Path>, options: Option<&Options>) -> Plan {
        let mut plan = Plan::default();
        for input in inputs {
            let input = absolute(input);
            if input.is_dir() {
                plan.trees.push(input);
            } else {
                if let Some(folder) = input.parent() {
                    plan.image_trees.push(folder.to_path_buf());
                }
                plan.files.push(input);
            }
        }
        plan.files.extend(config.map(absolute));
        if let Some(options) = options {
            let files = [&options.cover, &options.css, &options.font];
            plan.files
                .extend(files.into_iter().flatten().map(|f| absolute(f)));
            plan.image_trees
                .extend(options.resource_dirs.iter().map(|d| absolute(d)));
            if options.cover.is_none() {
                plan.image_trees
                    .push(absolute(&options.base_dir.join("covers")));
            }
        }
        plan
    }

    /// Whether a change at `path` (absolute) may change the book.
    pub fn wants(&self, path: &Path) -> bool {
        if self.files.iter().any(|file| file == path) {
            return true;
        }
        let visible_below = |root: &PathBuf| {
            path.strip_prefix(root).is_ok_and(|rest| {
                !rest
                    .iter()
                    .any(|part| part.to_string_lossy().starts_with('.'))
            })
        };
        if is_scratch(path) {
            return false;
        }
        self.trees.iter().any(visible_below)
            || (is_image(path) && self.image_trees.iter().any(visible_below))
    }

    /// The folders to watch and how: trees recursively, the folders of
    /// single files alone. Folders that do not exist (yet) are left out.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let recursive = self.trees.iter().chain(&self.image_trees);
        let single = self.files.iter().filter_map(|file| file.parent());
        let mut watches: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        let candidates = recursive
            .map(|d| (d.clone(), RecursiveMode::Recursive))
            .chain(single.map(|d| (d.to_path_buf(), RecursiveMode::NonRecursive)));
        for (folder, mode) in candidates {
            let covered = watches.iter().any(|(watched, watched_mode)| {
                folder == *watched
                    || (*watched_mode == RecursiveMode::Recursive && folder.starts_with(watched))
            });
            if !covered && folder.is_dir() {
                watches.retain(|(watched, _)| {
                    !(mode == RecursiveMode::Recursive && watched.starts_with(&folder))
                });
                watches.push((folder, mode));
            }
        }
        watches
    }
}

/// Files editors and tools leave beside the ones they save, and books:
/// never part of a book.
fn is_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    // vim's swap files and its write test (4913), backups (~), Emacs
    // autosaves (#x#), temporary files of wenji and others, EPUBs.
    name == "4913"
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", ".epub"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
}

/// Whether `path` names an image file a book could hold.
fn is_image(path: &Path) -> bool {
    media::image_type(path).is_some()
}

/// `path` made absolute (links resolved when it exists, else its folder's),
/// as change events name it.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    match (folder.canonicalize(), path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// The file watcher, following one [`Plan`] at a time.
pub struct Watcher {
    watcher: RecommendedWatcher,
    watching: Vec<(PathBuf, RecursiveMode)>,
    plan: Plan,
}

impl Watcher {
    /// A watcher with nothing watched yet, and the channel its events
    /// arrive on.
    pub fn new() -> notify::Result<(Watcher, Changes)> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let watcher = Watcher {
            watcher: notify::recommended_watcher(sender)?,
            watching: Vec::new(),
            plan: Plan::default(),
        };
        Ok((watcher, receiver))
    }

    /// Follows `plan` from now on: watches what it adds, forgets what it
    /// drops. A folder that cannot be watched is a warning.
    pub fn follow(&mut self, plan: Plan) {
        let wanted = plan.watches();
        for (folder, mode) in &self.watching {
            if !wanted.contains(&(folder.clone(), *mode)) {
                let _ = self.watcher.unwatch(folder);
            }
        }
        let mut watching = Vec::new();
        for (folder, mode) in wanted {
            if self.watching.contains(&(folder.clone(), mode)) {
                watching.push((folder, mode));
                continue;
            }
            match self.watcher.watch(&folder, mode) {
                Ok(()) => watching.push((folder, mode)),
                Err(error) => eprintln!(
                    "warning: {}: cannot watch this folder for changes ({error}); \
                     changes in it need a restart of wenji serve",
                    folder.display()
                ),
            }
        }
        self.watching = watching;
        self.plan = plan;
    }

    /// Waits for a change that touches the book, then until the files
    /// have been quiet for [`DEBOUNCE`] (or [`LONGEST_WAIT`] has passed);
    /// false when no more changes can come.
    pub fn next_change(&self, changes: &Changes) -> bool {
        loop {
            match changes.recv() {
                Ok(event) if self.wants(&event) => break,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        let first = Instant::now();
        let mut last = first;
        loop {
            let quiet_until = (last + DEBOUNCE).min(first + LONGEST_WAIT);
            let wait = quiet_until.saturating_duration_since(Instant::now());
            match changes.recv_timeout(wait) {
                Ok(event) if self.wants(&event) => last = Instant::now(),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// Whether `event` may change the book: anything but opening or
    /// reading a file it is made of (a watch error counts, since what
    /// changed is unknown).
    fn wants(&self, event: &notify::Result<Event>) -> bool {
        match event {
            Ok(event) => {
                !matches!(event.kind, EventKind::Access(_))
                    && event.paths.iter().any(|path| self.plan.wants(path))
            }
            Err(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(root: &Path) -> Plan {
        Plan {
            trees: vec![root.join("content")],
            image_trees: vec![root.join("static")],
            files: vec![root.join("covers/cover.svg"), root.join("wenji.toml")],
        }
    }

    #[test]
    fn changes_to_essays_images_and_named_files_count() {
        let root = Path::new("/book");
        let plan = plan(root);
        for path in [
            "content/a.txt",
            "content/deep/b.md",
            "content/new-folder",
            "static/images/a.png",
            "covers/cover.svg",
            "wenji.toml",
        ] {
            assert!(plan.wants(&root.join(path)), "{path}");
        }
    }

    #[test]
    fn scratch_files_hidden_folders_and_strangers_do_not() {
        let root = Path::new("/book");
        let plan = plan(root);
        for path in [
            "content/.a.txt.swp",
            "content/a.txt~",
            "content/4913",
            "content/#a.md#",
            "content/book.epub",
            "content/.git/index",
            "content/.wenji-host-1-x.tmp",
            "static/notes.txt",
            "covers/other.svg",
            "wenji.toml.bak~",
            "elsewhere.txt",
        ] {
            assert!(!plan.wants(&root.join(path)), "{path}");
        }
    }

    #[test]
    fn a_folder_is_watched_once_and_single_files_through_their_folder() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path().canonicalize().unwrap();
        for dir in ["content/sub", "covers"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        let plan = Plan {
            trees: vec![root.join("content")],
            image_trees: vec![root.join("content/sub"), root.join("missing")],
            files: vec![
                root.join("covers/cover.svg"),
                root.join("content/wenji.toml"),
                root.join("covers/cover.png"),
            ],
        };
        assert_eq!(
            plan.watches(),
            [
                (root.join("content"), RecursiveMode::Recursive),
                (root.join("covers"), RecursiveMode::NonRecursive),
            ]
        );
    }
}
