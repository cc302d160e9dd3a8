//! Input files read whole, hashed as they are read: the manifest records the
//! size and SHA-256 of the very bytes the tables were parsed from, never of
//! the file as it is later (an export appended to during a run would
//! otherwise be described by bytes the outputs were not computed from).

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// A file as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// The file.
    pub path: PathBuf,
    /// Bytes read.
    pub bytes: u64,
    /// SHA-256 of the bytes read, lower-case hex.
    pub sha256: String,
}

/// Reads a whole file and hashes the bytes read. A path that is a folder,
/// or cannot be read, is an error naming the path (exit code 3).
pub(crate) fn read_hashed(path: &Path) -> Result<(Vec<u8>, ReadFile)> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a folder, not a file; an input table must be a file (move or rename the folder)",
            path.display()
        )));
    }
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let digest = ReadFile {
        path: path.to_path_buf(),
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
    };
    Ok((bytes, digest))
}

/// Size and SHA-256 of a file, streamed (never held whole in memory): the
/// validated store's key and the manifest's config, plan and profile digests.
pub(crate) fn hash_file(path: &Path) -> Result<ReadFile> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let (bytes, sha256) = hash_open_file(&mut file).map_err(|e| Error::io(path, e))?;
    Ok(ReadFile {
        path: path.to_path_buf(),
        bytes,
        sha256,
    })
}

/// Size and SHA-256 (lower-case hex) of an open file read from its current
/// position to its end, streamed: an input file hashed through the very
/// handle it is then parsed from.
pub(crate) fn hash_open_file(file: &mut std::fs::File) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let bytes = copy_by_megabyte(file, &mut hasher)?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

/// BLAKE3 checksum (lower-case hex) of an open file read from its current
/// position to its end, streamed a megabyte at a time: the validated store
/// checks a stored file through the very handle its scan then reads.
pub(crate) fn blake3_open_file(file: &mut std::fs::File) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    copy_by_megabyte(file, &mut hasher)?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// Copies `file` from its position to its end into `hasher` a megabyte at
/// a time (not `io::copy`'s own 8 KB); returns the bytes copied.
fn copy_by_megabyte(
    file: &mut std::fs::File,
    hasher: &mut impl std::io::Write,
) -> std::io::Result<u64> {
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    std::io::copy(&mut reader, hasher)
}

/// SHA-256 of bytes, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_bytes_read_and_refuses_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reps.csv");
        std::fs::write(&path, "abc").unwrap();
        let (bytes, d) = read_hashed(&path).unwrap();
        assert_eq!(bytes, b"abc");
        assert_eq!(d.bytes, 3);
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let err = read_hashed(dir.path()).unwrap_err();
        assert!(matches!(err, Error::Usage(m) if m.contains("is a folder")));
    }
}
