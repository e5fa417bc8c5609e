//! The write-ahead log's index (`<db>-shm`), read before a connection is made: when it says the
//! `<db>-wal` file holds committed entries not yet copied into the database, that file must be there
//! and whole. Otherwise SQLite would silently open the older state and the latest entries would be
//! lost (and overwritten by the next write). Layout: https://www.sqlite.org/walformat.html.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files;

/// `iVersion` of the wal-index header SQLite writes (3.7.0 and every version since).
const INDEX_VERSION: u32 = 3_007_000;
/// One copy of the wal-index header: `WalIndexHdr`, 48 bytes; a second copy follows it.
const HEADER_BYTES: usize = 48;
/// The two header copies, then `WalCkptInfo` whose first field is `nBackfill`.
const BACKFILL_OFFSET: usize = 2 * HEADER_BYTES;
/// The WAL file's own header, and each frame's header before its page.
const WAL_HEADER_BYTES: u64 = 32;
const FRAME_HEADER_BYTES: u64 = 24;

/// What is wrong with the write-ahead log, when the index says it holds entries the database lacks.
#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    /// The `-wal` file is gone.
    Missing,
    /// The `-wal` file is shorter than the committed frames the index counts.
    Incomplete,
    /// The `-wal` file is another one (its salt differs from the index's): a copy from another time.
    Replaced,
}

/// What the committed part of the wal-index header says, when the header is whole and consistent.
#[derive(Debug, PartialEq, Eq)]
struct Index {
    page_size: u64,
    /// Frames committed to the WAL (`mxFrame`).
    frames: u32,
    /// Of those, frames already copied into the database (`nBackfill`).
    backfilled: u32,
    /// The two salts of the WAL file these frames belong to, as stored (bytes 16..24 of its header).
    salt: [u8; 8],
}

/// `<db>-wal` and `<db>-shm` beside `database`.
pub fn companions(database: &Path) -> (PathBuf, PathBuf) {
    (files::suffixed(database, "-wal"), files::suffixed(database, "-shm"))
}

/// Checks, reading only, that the WAL holds everything the index says is committed but not yet in the
/// database. No index, or one that is not a whole header (never written, or torn by a crash), says
/// nothing: SQLite then rebuilds the index from the WAL itself.
pub fn check(database: &Path) -> Result<(), Problem> {
    let (wal, shm) = companions(database);
    let Some(index) = read_index(&shm) else {
        return Ok(());
    };
    if index.frames <= index.backfilled {
        return Ok(());
    }
    let mut file = match fs::File::open(&wal) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Problem::Missing),
        // Unreadable here: SQLite will report it in its own words.
        Err(_) => return Ok(()),
    };
    let needed = WAL_HEADER_BYTES + index.frames as u64 * (FRAME_HEADER_BYTES + index.page_size);
    let length = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    if length < needed {
        return Err(Problem::Incomplete);
    }
    let mut header = [0u8; WAL_HEADER_BYTES as usize];
    if file.read_exact(&mut header).is_ok() && header[16..24] != index.salt {
        return Err(Problem::Replaced);
    }
    Ok(())
}

/// Whether a `-wal` file with frames is beside `database` before it is opened: left by a crash, or
/// by a connection still open elsewhere.
pub fn left_behind(database: &Path) -> bool {
    fs::metadata(companions(database).0).is_ok_and(|m| m.len() > 0)
}

/// Why `database` is refused, in an admin's words: which file, what is lost, what to do.
pub fn refusal(database: &Path, problem: Problem) -> Error {
    let wal = files::name_of(&companions(database).0);
    let what = match problem {
        Problem::Missing => "is missing",
        Problem::Incomplete => "is incomplete (cut short)",
        Problem::Replaced => "was replaced by another copy",
    };
    Error::Damaged(format!(
        "The chart database {} cannot be opened: its write-ahead log {wal}, the file beside it that holds the latest entries, {what}, so those entries cannot be read. Put the right {wal} file back beside the database (from where it was moved or copied), or an admin restores the newest backup. Nothing was changed.",
        database.display()
    ))
}

fn read_index(shm: &Path) -> Option<Index> {
    let mut bytes = [0u8; BACKFILL_OFFSET + 4];
    fs::File::open(shm).ok()?.read_exact(&mut bytes).ok()?;
    parse_index(&bytes)
}

/// The header as SQLite itself accepts it: both copies equal, initialised, of the known version,
/// with a matching checksum. All fields are in the machine's byte order.
fn parse_index(bytes: &[u8; BACKFILL_OFFSET + 4]) -> Option<Index> {
    let (first, second) = (&bytes[..HEADER_BYTES], &bytes[HEADER_BYTES..BACKFILL_OFFSET]);
    let u32_at = |at: usize| u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let is_init = first[12] == 1;
    if first != second || !is_init || u32_at(0) != INDEX_VERSION || checksum(&first[..40]) != [u32_at(40), u32_at(44)] {
        return None;
    }
    // `szPage` holds the page size, except that 65536 is stored as 1.
    let size = u16::from_ne_bytes([first[14], first[15]]) as u64;
    let page_size = (size & 0xfe00) + ((size & 1) << 16);
    if page_size == 0 {
        return None;
    }
    Some(Index {
        page_size,
        frames: u32_at(16),
        backfilled: u32_at(BACKFILL_OFFSET),
        salt: first[32..40].try_into().expect("8 bytes"),
    })
}

/// SQLite's WAL checksum over native-order 32-bit words (`walChecksumBytes`).
fn checksum(bytes: &[u8]) -> [u32; 2] {
    let (mut s1, mut s2) = (0u32, 0u32);
    for pair in bytes.chunks_exact(8) {
        let word = |at: usize| u32::from_ne_bytes(pair[at..at + 4].try_into().expect("4 bytes"));
        s1 = s1.wrapping_add(word(0)).wrapping_add(s2);
        s2 = s2.wrapping_add(word(4)).wrapping_add(s1);
    }
    [s1, s2]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

    /// A wal-index as SQLite writes it: `frames` committed, `backfilled` of them in the database.
    fn index_bytes(page_size: u16, frames: u32, backfilled: u32) -> Vec<u8> {
        let mut header = [0u8; HEADER_BYTES];
        header[0..4].copy_from_slice(&INDEX_VERSION.to_ne_bytes());
        header[8..12].copy_from_slice(&7u32.to_ne_bytes());
        header[12] = 1;
        header[14..16].copy_from_slice(&page_size.to_ne_bytes());
        header[16..20].copy_from_slice(&frames.to_ne_bytes());
        header[20..24].copy_from_slice(&12u32.to_ne_bytes());
        header[32..40].copy_from_slice(&SALT);
        let [a, b] = checksum(&header[..40]);
        header[40..44].copy_from_slice(&a.to_ne_bytes());
        header[44..48].copy_from_slice(&b.to_ne_bytes());
        let mut bytes = [header, header].concat();
        bytes.extend_from_slice(&backfilled.to_ne_bytes());
        bytes.resize(32 * 1024, 0);
        bytes
    }

    fn wal_bytes(page_size: u64, frames: u64, salt: [u8; 8]) -> Vec<u8> {
        let mut bytes = vec![0u8; (WAL_HEADER_BYTES + frames * (FRAME_HEADER_BYTES + page_size)) as usize];
        bytes[0..4].copy_from_slice(&0x377f_0682u32.to_be_bytes());
        bytes[16..24].copy_from_slice(&salt);
        bytes
    }

    /// A database path in a temp folder, with the given `-shm` and `-wal` contents (None: no file).
    fn files(shm: Option<Vec<u8>>, wal: Option<Vec<u8>>) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("chart.db");
        fs::write(&db, b"").unwrap();
        let (wal_path, shm_path) = companions(&db);
        if let Some(shm) = shm {
            fs::write(shm_path, shm).unwrap();
        }
        if let Some(wal) = wal {
            fs::write(wal_path, wal).unwrap();
        }
        (dir, db)
    }

    /// The files of a database SQLite is still writing (as a crash leaves them), copied to `dir`.
    fn crashed_copy(dir: &Path) -> PathBuf {
        let live = dir.join("live.db");
        let conn = rusqlite::Connection::open(&live).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('a'), ('b'), ('c');",
        )
        .unwrap();
        let copy = dir.join("copy.db");
        let ((live_wal, live_shm), (wal, shm)) = (companions(&live), companions(&copy));
        for (from, to) in [(&live, &copy), (&live_wal, &wal), (&live_shm, &shm)] {
            fs::copy(from, to).unwrap();
        }
        drop(conn);
        copy
    }

    #[test]
    fn a_real_index_of_sqlite_is_understood() {
        let dir = tempfile::tempdir().unwrap();
        let db = crashed_copy(dir.path());
        let index = read_index(&companions(&db).1).expect("SQLite's own header is accepted");
        assert_eq!(index.page_size, 4096);
        assert!(index.frames > index.backfilled, "{index:?}");
        assert_eq!(check(&db), Ok(()), "the whole WAL is there");
        let wal = companions(&db).0;
        let bytes = fs::read(&wal).unwrap();
        fs::write(&wal, &bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(check(&db), Err(Problem::Incomplete));
        fs::remove_file(&wal).unwrap();
        assert_eq!(check(&db), Err(Problem::Missing));
    }

    #[test]
    fn the_header_is_read_as_sqlite_writes_it() {
        let bytes = index_bytes(4096, 9, 4);
        let index = parse_index(bytes[..100].try_into().unwrap()).unwrap();
        assert_eq!(
            index,
            Index {
                page_size: 4096,
                frames: 9,
                backfilled: 4,
                salt: SALT
            }
        );
        let big = index_bytes(1, 1, 0);
        assert_eq!(parse_index(big[..100].try_into().unwrap()).unwrap().page_size, 65536);
    }

    #[test]
    fn a_torn_unset_or_foreign_header_says_nothing() {
        let good = index_bytes(4096, 9, 4);
        let mut torn = good.clone();
        torn[48 + 16] ^= 1; // the second copy differs
        let mut bad_sum = good.clone();
        bad_sum[16] ^= 1;
        bad_sum[48 + 16] ^= 1; // both copies agree, but the checksum does not
        let mut not_init = good.clone();
        not_init[12] = 0;
        not_init[48 + 12] = 0;
        for bytes in [torn, bad_sum, not_init, vec![0u8; 200]] {
            assert_eq!(parse_index(bytes[..100].try_into().unwrap()), None);
        }
        let (_dir, db) = files(Some(vec![0u8; 10]), None);
        assert_eq!(check(&db), Ok(()), "a short index file says nothing");
    }

    #[test]
    fn nothing_pending_needs_no_wal() {
        for (frames, backfilled) in [(0, 0), (9, 9)] {
            let (_dir, db) = files(Some(index_bytes(4096, frames, backfilled)), None);
            assert_eq!(check(&db), Ok(()), "{frames} frames, {backfilled} copied");
        }
        let (_dir, db) = files(None, None);
        assert_eq!(check(&db), Ok(()), "no index at all");
    }

    #[test]
    fn frames_pending_need_the_whole_wal_they_belong_to() {
        let shm = || Some(index_bytes(4096, 9, 4));
        let (_dir, db) = files(shm(), None);
        assert_eq!(check(&db), Err(Problem::Missing));
        let (_dir, db) = files(shm(), Some(wal_bytes(4096, 8, SALT)));
        assert_eq!(check(&db), Err(Problem::Incomplete));
        let (_dir, db) = files(shm(), Some(wal_bytes(4096, 9, [9; 8])));
        assert_eq!(check(&db), Err(Problem::Replaced));
        let (_dir, db) = files(shm(), Some(wal_bytes(4096, 9, SALT)));
        assert_eq!(check(&db), Ok(()));
        let (_dir, db) = files(shm(), Some(wal_bytes(4096, 40, SALT)));
        assert_eq!(
            check(&db),
            Ok(()),
            "a longer WAL (frames of a rolled-back write) is fine"
        );
    }
}
