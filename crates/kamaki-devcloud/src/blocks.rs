//! Content-addressed block store and the Pithos hashing rules (storage-pithos.md §10).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};

/// Block size of every container (4 MiB).
pub const BLOCK_SIZE: usize = 4 * 1024 * 1024;
/// Block hash algorithm name.
pub const BLOCK_HASH: &str = "sha256";
/// Hex SHA-256 of the empty string.
pub const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Block hash: SHA-256 of the block with trailing NUL bytes stripped, lowercase hex.
pub fn block_hash(data: &[u8]) -> String {
    hex::encode(Sha256::digest(strip_zeros(data)))
}

fn strip_zeros(data: &[u8]) -> &[u8] {
    let end = data.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    &data[..end]
}

/// Merkle root of a list of hex block hashes (§10.2 rule 2).
pub fn merkle(hashes: &[String]) -> String {
    let mut level: Vec<[u8; 32]> = hashes
        .iter()
        .map(|h| {
            let mut d = [0u8; 32];
            if let Ok(v) = hex::decode(h) {
                if v.len() == 32 {
                    d.copy_from_slice(&v);
                }
            }
            d
        })
        .collect();
    match level.len() {
        0 => return EMPTY_HASH.to_string(),
        1 => return hex::encode(level[0]),
        _ => {}
    }
    let size = level.len().next_power_of_two();
    level.resize(size, [0u8; 32]);
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut h = Sha256::new();
                h.update(pair[0]);
                h.update(pair[1]);
                let mut out = [0u8; 32];
                out.copy_from_slice(&h.finalize());
                out
            })
            .collect();
    }
    hex::encode(level[0])
}

/// Is this a syntactically valid lowercase/uppercase hex sha256 digest?
pub fn valid_hash(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Where blocks live: memory, or one file per block under `data_dir/blocks`.
pub(crate) struct BlockStore {
    dir: Option<PathBuf>,
    mem: Mutex<HashMap<String, Bytes>>,
    on_disk: Mutex<HashSet<String>>,
}

impl BlockStore {
    pub fn new(dir: Option<PathBuf>) -> std::io::Result<Self> {
        let mut on_disk = HashSet::new();
        if let Some(d) = &dir {
            std::fs::create_dir_all(d)?;
            for entry in std::fs::read_dir(d)? {
                let entry = entry?;
                if let Some(name) = entry.file_name().to_str() {
                    if valid_hash(name) {
                        on_disk.insert(name.to_string());
                    }
                }
            }
        }
        Ok(BlockStore {
            dir,
            mem: Mutex::new(HashMap::new()),
            on_disk: Mutex::new(on_disk),
        })
    }

    pub fn contains(&self, hash: &str) -> bool {
        if hash == EMPTY_HASH {
            return true;
        }
        if self.dir.is_some() {
            lock(&self.on_disk).contains(hash)
        } else {
            lock(&self.mem).contains_key(hash)
        }
    }

    /// Store a block (any length ≤ block size); returns its hash.
    pub async fn put(&self, data: Bytes) -> std::io::Result<String> {
        let (hash, stripped) = tokio::task::spawn_blocking(move || {
            let stripped = data.slice(..strip_zeros(&data).len());
            (hex::encode(Sha256::digest(&stripped)), stripped)
        })
        .await
        .map_err(std::io::Error::other)?;
        if self.contains(&hash) {
            return Ok(hash);
        }
        match &self.dir {
            Some(dir) => {
                let tmp = dir.join(format!(".{hash}.{}", crate::util::random_string(6)));
                tokio::fs::write(&tmp, &stripped).await?;
                tokio::fs::rename(&tmp, dir.join(&hash)).await?;
                lock(&self.on_disk).insert(hash.clone());
            }
            None => {
                lock(&self.mem).insert(hash.clone(), stripped);
            }
        }
        Ok(hash)
    }

    /// The stored (zero-stripped) content of a block.
    pub async fn get(&self, hash: &str) -> std::io::Result<Bytes> {
        if hash == EMPTY_HASH {
            return Ok(Bytes::new());
        }
        match &self.dir {
            Some(dir) => {
                if !valid_hash(hash) {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "bad hash",
                    ));
                }
                Ok(Bytes::from(tokio::fs::read(dir.join(hash)).await?))
            }
            None => lock(&self.mem).get(hash).cloned().ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("block {hash} missing"),
                )
            }),
        }
    }

    /// Block content padded with zeros (or cut) to exactly `len` bytes.
    pub async fn get_padded(&self, hash: &str, len: usize) -> std::io::Result<Bytes> {
        let data = self.get(hash).await?;
        if data.len() == len {
            return Ok(data);
        }
        if data.len() > len {
            return Ok(data.slice(..len));
        }
        let mut b = BytesMut::with_capacity(len);
        b.extend_from_slice(&data);
        b.resize(len, 0);
        Ok(b.freeze())
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(
            block_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(block_hash(b"abc\0\0"), block_hash(b"abc"));
        assert_eq!(
            block_hash(b"\0abc"),
            "609f6e36d2405585188d5cfd761f407c7cc46a7d3f314c88270469dde315fcd1"
        );
        assert_eq!(block_hash(&[0u8; 100]), EMPTY_HASH);
        let hs: Vec<String> = [&b"hell"[..], b"o wo", b"rld"]
            .iter()
            .map(|b| block_hash(b))
            .collect();
        assert_eq!(
            merkle(&hs),
            "261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc"
        );
        assert_eq!(
            merkle(&hs[..2]),
            "77bcc9cce0267b3db78beb53705b40c5e38973c7bd3e4a6e873a583a774684e1"
        );
        assert_eq!(merkle(&[]), EMPTY_HASH);
        assert_eq!(merkle(&hs[..1]), hs[0]);
    }

    #[test]
    fn spec_example_3_and_5() {
        let a = vec![b'a'; BLOCK_SIZE];
        let h0 = block_hash(&a);
        assert_eq!(
            h0,
            "299285fc41a44cdb038b9fdaf494c76ca9d0c866672b2b266c1a0c17dda60a05"
        );
        let h1 = block_hash(b"xyz");
        assert_eq!(
            merkle(&[h0, h1]),
            "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd"
        );
        let leaves: Vec<String> = [b'A', b'B', b'C', b'D']
            .iter()
            .map(|c| block_hash(&vec![*c; BLOCK_SIZE]))
            .chain(std::iter::once(block_hash(b"E")))
            .collect();
        assert_eq!(
            merkle(&leaves),
            "a27c287458a79c677155ca9feb627b05bf471f0318cc307caa1a1f07a84f1017"
        );
    }
}
