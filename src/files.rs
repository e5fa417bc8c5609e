//! Files written beside or outside the database (key file, manifests, exports, reports): always
//! through a temporary name, fsynced, then renamed, so a reader or a crash never meets half a file.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `path` through `path.partial`, fsynced and renamed; the folder is synced so the rename lasts.
/// `private` files are created 0600 on Unix (keys, backups).
pub fn write_atomically(
    path: &Path,
    private: bool,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> Result<()>,
) -> Result<()> {
    let fail = |e: std::io::Error| Error::Storage(format!("The file {} could not be written ({e}).", path.display()));
    let temp = partial(path);
    let result = (|| {
        let mut out = BufWriter::new(create(&temp, private).map_err(fail)?);
        write(&mut out)?;
        out.flush().map_err(fail)?;
        out.into_inner()
            .map_err(|e| fail(e.into_error()))?
            .sync_all()
            .map_err(fail)?;
        fs::rename(&temp, path).map_err(fail)?;
        sync_folder(path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The temporary name a file is written under before it is renamed into place.
pub fn partial(path: &Path) -> PathBuf {
    suffixed(path, ".partial")
}

/// What `suffixed` adds to a database's name to name each of its files: the database itself, its
/// write-ahead log and its shared-memory index. They are moved and removed together.
pub const DATABASE_FILES: [&str; 3] = ["", "-wal", "-shm"];

/// `path` with `suffix` added to its file name: `chart.db` and "-wal" give `chart.db-wal`.
pub fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// `{stem}{ext}`, else `{stem}_02{ext}`, `{stem}_03{ext}` … up to 99: the first that `taken` says is
/// free, so a file named for the same second as another never replaces it (a rename would, silently).
pub fn first_free(stem: &Path, ext: &str, taken: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    (1..100)
        .map(|n| match n {
            1 => suffixed(stem, ext),
            n => suffixed(stem, &format!("_{n:02}{ext}")),
        })
        .find(|path| !taken(path))
}

/// The name of the file `path` points to, for a sentence.
pub fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A new file (truncating a leftover), 0600 on Unix when `private`.
pub fn create(path: &Path, private: bool) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    if private {
        // A leftover file from a crash keeps its old mode; make sure this one is private.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(file)
}

/// Makes a rename or new file in `path`'s folder durable; Windows has no folder fsync (and needs none).
pub fn sync_folder(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| {
            Error::Storage(format!(
                "The folder {} could not be synced to disk ({e}).",
                dir.display()
            ))
        })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `dir` (and its parents) private to this user: 0700 on Unix.
pub fn private_folder(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    let made = {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    };
    #[cfg(not(unix))]
    let made = fs::create_dir_all(dir);
    made.map_err(|e| Error::Storage(format!("The folder {} could not be made ({e}).", dir.display())))
}
