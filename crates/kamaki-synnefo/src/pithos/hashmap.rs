//! The Pithos block maths (`spec/storage-pithos.md` §10): blocks of the
//! container block size, one hash per block with trailing `0x00` bytes
//! stripped, and the Merkle root that Pithos reports as `X-Object-Hash`.
//!
//! Everything here is pure: no I/O, no network.
//!
//! ```
//! use kamaki_synnefo::pithos::hashmap::{block_hasher, hash_blocks, merkle_root};
//!
//! let sha256 = block_hasher("sha256").unwrap();
//! let hashes = hash_blocks(sha256.as_ref(), b"hello world", 4);
//! assert_eq!(hashes.len(), 3);
//! assert_eq!(
//!     merkle_root(sha256.as_ref(), &hashes).unwrap(),
//!     "261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc"
//! );
//! ```

use std::fmt;
use std::sync::Arc;

use kamaki_core::{ClientError, ErrorKind};
use kamaki_openstack::Extra;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::types::ObjectInfo;

/// A digest algorithm for Pithos blocks, named as the server names it
/// (`X-Container-Block-Hash`, a Python `hashlib` name).
///
/// Implementations must be cheap to call from `spawn_blocking`.
pub trait BlockHasher: Send + Sync + fmt::Debug {
    /// The algorithm name, e.g. `sha256`.
    fn algorithm(&self) -> &str;
    /// The length of one digest in bytes (32 for sha256).
    fn digest_len(&self) -> usize;
    /// The digest of `data`.
    fn digest(&self, data: &[u8]) -> Vec<u8>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sha2Kind {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

/// The SHA-2 family (`sha224`, `sha256`, `sha384`, `sha512`), pure Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sha2Hasher {
    kind: Sha2Kind,
}

impl Sha2Hasher {
    /// SHA-256, the Pithos default.
    pub fn sha256() -> Self {
        Sha2Hasher {
            kind: Sha2Kind::Sha256,
        }
    }
}

impl BlockHasher for Sha2Hasher {
    fn algorithm(&self) -> &str {
        match self.kind {
            Sha2Kind::Sha224 => "sha224",
            Sha2Kind::Sha256 => "sha256",
            Sha2Kind::Sha384 => "sha384",
            Sha2Kind::Sha512 => "sha512",
        }
    }

    fn digest_len(&self) -> usize {
        match self.kind {
            Sha2Kind::Sha224 => 28,
            Sha2Kind::Sha256 => 32,
            Sha2Kind::Sha384 => 48,
            Sha2Kind::Sha512 => 64,
        }
    }

    fn digest(&self, data: &[u8]) -> Vec<u8> {
        match self.kind {
            Sha2Kind::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Sha2Kind::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Sha2Kind::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Sha2Kind::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// The hasher for a server's block hash algorithm name (case-insensitive).
///
/// # Errors
/// An [`InvalidArgument`](ErrorKind::InvalidArgument) error naming the
/// algorithm when it is not supported (e.g. `sha1` on old deployments).
pub fn block_hasher(algorithm: &str) -> Result<Arc<dyn BlockHasher>, ClientError> {
    let kind = match algorithm.trim().to_ascii_lowercase().as_str() {
        "sha224" => Sha2Kind::Sha224,
        "sha256" => Sha2Kind::Sha256,
        "sha384" => Sha2Kind::Sha384,
        "sha512" => Sha2Kind::Sha512,
        _ => {
            return Err(ClientError::invalid_argument(format!(
                "Unsupported block hash algorithm {algorithm:?} (supported: sha224, sha256, sha384, sha512)"
            )))
        }
    };
    Ok(Arc::new(Sha2Hasher { kind }))
}

/// `block` without its trailing `0x00` bytes (leading and inner zeros kept).
///
/// ```
/// use kamaki_synnefo::pithos::hashmap::strip_trailing_zeros;
/// assert_eq!(strip_trailing_zeros(b"\0ab\0c\0\0"), b"\0ab\0c");
/// assert_eq!(strip_trailing_zeros(b"\0\0"), b"");
/// ```
pub fn strip_trailing_zeros(block: &[u8]) -> &[u8] {
    let end = block.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &block[..end]
}

/// The hash of one block (trailing zeros stripped), as lower-case hex.
pub fn block_hash(hasher: &dyn BlockHasher, block: &[u8]) -> String {
    hex::encode(hasher.digest(strip_trailing_zeros(block)))
}

/// The hash of the empty string: what an all-zero block (of any length)
/// and a zero-byte object hash to.
pub fn empty_hash(hasher: &dyn BlockHasher) -> String {
    hex::encode(hasher.digest(b""))
}

/// The number of blocks of an object of `size` bytes: `ceil(size / block_size)`.
/// A zero-byte object has no data blocks.
pub fn block_count(size: u64, block_size: u64) -> u64 {
    if block_size == 0 {
        return 0;
    }
    size.div_ceil(block_size)
}

/// Offset and length of block `index` of an object of `size` bytes.
pub fn block_span(index: u64, size: u64, block_size: u64) -> (u64, u64) {
    let offset = index.saturating_mul(block_size);
    let end = offset.saturating_add(block_size).min(size);
    (offset, end.saturating_sub(offset))
}

/// The block hashes of in-memory data (one per `block_size` chunk; none for
/// empty data).
///
/// # Panics
/// Never; a `block_size` of 0 is treated as "one block".
pub fn hash_blocks(hasher: &dyn BlockHasher, data: &[u8], block_size: usize) -> Vec<String> {
    if data.is_empty() {
        return Vec::new();
    }
    let size = if block_size == 0 {
        data.len()
    } else {
        block_size
    };
    data.chunks(size).map(|c| block_hash(hasher, c)).collect()
}

/// The Merkle root over raw block digests (§10.2): none → H(""), one → that
/// digest, more → pad with all-zero digests to a power of two and hash pairs
/// level by level.
pub fn merkle_root_digests(hasher: &dyn BlockHasher, digests: &[Vec<u8>]) -> Vec<u8> {
    match digests.len() {
        0 => return hasher.digest(b""),
        1 => return digests[0].clone(),
        _ => {}
    }
    let width = digests.len().next_power_of_two().max(2);
    let zero = vec![0u8; hasher.digest_len()];
    let mut level: Vec<Vec<u8>> = digests.to_vec();
    level.resize(width, zero);
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut joined = Vec::with_capacity(pair[0].len() * 2);
                for d in pair {
                    joined.extend_from_slice(d);
                }
                hasher.digest(&joined)
            })
            .collect();
    }
    level.pop().unwrap_or_default()
}

/// The Merkle root (`X-Object-Hash`) over hex block hashes, as hex.
///
/// # Errors
/// An [`InvalidArgument`](ErrorKind::InvalidArgument) error when a hash is
/// not hex of the algorithm's digest length.
pub fn merkle_root(hasher: &dyn BlockHasher, hashes: &[String]) -> Result<String, ClientError> {
    let digests = hashes
        .iter()
        .map(|h| decode_digest(hasher, h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(hex::encode(merkle_root_digests(hasher, &digests)))
}

fn decode_digest(hasher: &dyn BlockHasher, h: &str) -> Result<Vec<u8>, ClientError> {
    match hex::decode(h) {
        Ok(d) if d.len() == hasher.digest_len() => Ok(d),
        _ => Err(ClientError::invalid_argument(format!(
            "{h:?} is not a {} digest in hex",
            hasher.algorithm()
        ))),
    }
}

/// An object's hashmap, as `GET …?hashmap&format=json` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hashmap {
    /// Block size in bytes.
    pub block_size: u64,
    /// Block hash algorithm (`sha256`).
    pub block_hash: String,
    /// Object size in bytes.
    pub bytes: u64,
    /// One hex hash per block (a zero-byte object has one: H("")).
    #[serde(default)]
    pub hashes: Vec<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
    /// The object headers of the hashmap response (ETag, version, …).
    #[serde(skip)]
    pub info: ObjectInfo,
}

/// One block position of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef<'a> {
    /// Position of the block in the object.
    pub index: u64,
    /// Offset of its first byte.
    pub offset: u64,
    /// Its length (the last block may be short).
    pub len: u64,
    /// Its hash.
    pub hash: &'a str,
}

impl Hashmap {
    /// The object's data blocks in order, with offsets and lengths cut at
    /// `bytes`. A zero-byte object has none, whatever `hashes` holds.
    pub fn blocks(&self) -> impl Iterator<Item = BlockRef<'_>> + '_ {
        let count = block_count(self.bytes, self.block_size);
        self.hashes
            .iter()
            .take(usize::try_from(count).unwrap_or(usize::MAX))
            .enumerate()
            .map(move |(i, h)| {
                let (offset, len) = block_span(i as u64, self.bytes, self.block_size);
                BlockRef {
                    index: i as u64,
                    offset,
                    len,
                    hash: h.as_str(),
                }
            })
    }

    /// Checks that the hashmap is usable: a known algorithm, a non-zero
    /// block size, and exactly `ceil(bytes / block_size)` hashes (0 or 1
    /// for a zero-byte object), each a hex digest.
    ///
    /// # Errors
    /// A [`Decode`](ErrorKind::Decode) error describing the inconsistency; an
    /// [`InvalidArgument`](ErrorKind::InvalidArgument) one for an unknown algorithm.
    pub fn validate(&self) -> Result<Arc<dyn BlockHasher>, ClientError> {
        let hasher = block_hasher(&self.block_hash)?;
        if self.block_size == 0 {
            return Err(ClientError::new(
                ErrorKind::Decode,
                "Invalid hashmap: block_size is 0",
            ));
        }
        let want = block_count(self.bytes, self.block_size);
        let have = self.hashes.len() as u64;
        let ok = have == want || (self.bytes == 0 && have <= 1);
        if !ok {
            return Err(ClientError::new(
                ErrorKind::Decode,
                format!(
                    "Invalid hashmap: {have} hashes for {} bytes in blocks of {}",
                    self.bytes, self.block_size
                ),
            ));
        }
        for h in &self.hashes {
            decode_digest(hasher.as_ref(), h)
                .map_err(|e| ClientError::new(ErrorKind::Decode, e.message))?;
        }
        Ok(hasher)
    }

    /// The Merkle root of the hashes (what `X-Object-Hash` should be).
    ///
    /// # Errors
    /// As [`validate`](Self::validate).
    pub fn merkle(&self) -> Result<String, ClientError> {
        let hasher = self.validate()?;
        merkle_root(hasher.as_ref(), &self.hashes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn sha() -> Arc<dyn BlockHasher> {
        block_hasher("sha256").unwrap()
    }

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const MIB4: usize = 4_194_304;

    #[test]
    fn example_1_abc_and_variants() {
        let h = sha();
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let hashes = hash_blocks(h.as_ref(), b"abc", MIB4);
        assert_eq!(hashes, vec![abc.to_string()]);
        assert_eq!(merkle_root(h.as_ref(), &hashes).unwrap(), abc);
        let padded = hash_blocks(h.as_ref(), b"abc\0\0", MIB4);
        assert_eq!(padded, vec![abc.to_string()]);
        assert_eq!(
            block_hash(h.as_ref(), b"\0abc"),
            "609f6e36d2405585188d5cfd761f407c7cc46a7d3f314c88270469dde315fcd1"
        );
        // empty object: no hashes on upload; server shows [H("")]; Merkle H("")
        assert!(hash_blocks(h.as_ref(), b"", MIB4).is_empty());
        assert_eq!(merkle_root(h.as_ref(), &[]).unwrap(), EMPTY);
        assert_eq!(
            merkle_root(h.as_ref(), &[EMPTY.to_string()]).unwrap(),
            EMPTY
        );
        assert_eq!(empty_hash(h.as_ref()), EMPTY);
        assert_eq!(block_hash(h.as_ref(), &[0u8; 17]), EMPTY);
    }

    #[test]
    fn example_2_hello_world_toy_blocks() {
        let h = sha();
        let hashes = hash_blocks(h.as_ref(), b"hello world", 4);
        assert_eq!(
            hashes,
            vec![
                "0ebdc3317b75839f643387d783535adc360ca01f33c75f7c1e7373adcd675c0b",
                "8af8e662a3b251ef02d2ed85745535086af77aa1ac63a4f5f800f501c8e5d093",
                "85c76dcae2299d2235c793fe3425bd88376f5c4721cfddc1c9a9c452c20c5d33",
            ]
        );
        assert_eq!(
            merkle_root(h.as_ref(), &hashes).unwrap(),
            "261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc"
        );
        let level1 = h.digest(
            &[
                hex::decode(&hashes[2]).unwrap(),
                vec![0u8; 32], // filler is 32 zero bytes, not H("")
            ]
            .concat(),
        );
        assert_eq!(
            hex::encode(level1),
            "f895455da5022ba79cca8fbe3f228723c2bb1cb02119886493b0ffd7f89eb0cb"
        );
        let two = hash_blocks(h.as_ref(), b"hello wo", 4);
        assert_eq!(
            merkle_root(h.as_ref(), &two).unwrap(),
            "77bcc9cce0267b3db78beb53705b40c5e38973c7bd3e4a6e873a583a774684e1"
        );
    }

    #[test]
    fn example_3_real_block_size_short_tail() {
        let h = sha();
        let mut data = vec![b'a'; MIB4];
        data.extend_from_slice(b"xyz");
        let hashes = hash_blocks(h.as_ref(), &data, MIB4);
        assert_eq!(
            hashes,
            vec![
                "299285fc41a44cdb038b9fdaf494c76ca9d0c866672b2b266c1a0c17dda60a05",
                "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282",
            ]
        );
        assert_eq!(
            merkle_root(h.as_ref(), &hashes).unwrap(),
            "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd"
        );
    }

    #[test]
    fn example_4_zero_block_and_trailing_zeros() {
        let h = sha();
        let mut data = vec![b'a'; MIB4];
        data.extend(std::iter::repeat_n(0u8, MIB4));
        data.extend_from_slice(b"tail\0\0");
        assert_eq!(data.len(), 8_388_614);
        let hashes = hash_blocks(h.as_ref(), &data, MIB4);
        assert_eq!(
            hashes,
            vec![
                "299285fc41a44cdb038b9fdaf494c76ca9d0c866672b2b266c1a0c17dda60a05",
                EMPTY,
                "0c62f876ef1dea830de9f32c2f4b46dd6d74d50d15896e09ef5a2fcd4ac7e1d7",
            ]
        );
        assert_eq!(
            merkle_root(h.as_ref(), &hashes).unwrap(),
            "815ccb1ff2f25d7ea2fcf8f81986a056c98f149d786bd67636103b951cd1be1e"
        );
    }

    #[test]
    fn example_5_five_blocks_pad_to_eight() {
        let h = sha();
        let leaves: Vec<String> = [b'A', b'B', b'C', b'D']
            .iter()
            .map(|&c| block_hash(h.as_ref(), &vec![c; MIB4]))
            .chain(std::iter::once(block_hash(h.as_ref(), b"E")))
            .collect();
        assert_eq!(
            leaves,
            vec![
                "a58789e910e5f939afc433a00fef5930702927dc192cb237fd9e7449bd6ffe1d",
                "5947c00ce4da5eac3e8b3731df34e42a2d7b7e88bdb7bd93b8152afcedaa2f92",
                "95089da17de75fb26a2ce27e1ed429b42d29c42917d69ad329b17e21f3351492",
                "441334f7204da371ff6755ea4096fd11f21a8852c33b2cc7baa67ad0ce3574c8",
                "a9f51566bd6705f7ea6ad54bb9deb449f795582d6529a0e22207b8981233ec58",
            ]
        );
        assert_eq!(
            hex::encode(h.digest(&[0u8; 64])),
            "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b"
        );
        assert_eq!(
            merkle_root(h.as_ref(), &leaves).unwrap(),
            "a27c287458a79c677155ca9feb627b05bf471f0318cc307caa1a1f07a84f1017"
        );
    }

    #[test]
    fn spans_and_counts() {
        assert_eq!(block_count(0, 4), 0);
        assert_eq!(block_count(1, 4), 1);
        assert_eq!(block_count(4, 4), 1);
        assert_eq!(block_count(5, 4), 2);
        assert_eq!(block_count(3, 0), 0);
        assert_eq!(block_span(0, 11, 4), (0, 4));
        assert_eq!(block_span(2, 11, 4), (8, 3));
        assert_eq!(block_span(3, 11, 4), (12, 0));
    }

    #[test]
    fn hashmap_blocks_and_validation() {
        let h = sha();
        let hashes = hash_blocks(h.as_ref(), b"hello world", 4);
        let hm = Hashmap {
            block_size: 4,
            block_hash: "sha256".into(),
            bytes: 11,
            hashes: hashes.clone(),
            extra: Extra::new(),
            info: ObjectInfo::default(),
        };
        let blocks: Vec<(u64, u64, u64)> =
            hm.blocks().map(|b| (b.index, b.offset, b.len)).collect();
        assert_eq!(blocks, vec![(0, 0, 4), (1, 4, 4), (2, 8, 3)]);
        assert_eq!(
            hm.merkle().unwrap(),
            "261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc"
        );
        let empty = Hashmap {
            bytes: 0,
            hashes: vec![EMPTY.into()],
            ..hm.clone()
        };
        assert_eq!(empty.blocks().count(), 0);
        assert!(empty.validate().is_ok());
        let short = Hashmap {
            hashes: hashes[..2].to_vec(),
            ..hm.clone()
        };
        assert_eq!(short.validate().unwrap_err().kind, ErrorKind::Decode);
        let bad = Hashmap {
            hashes: vec!["zz".into(), hashes[1].clone(), hashes[2].clone()],
            ..hm.clone()
        };
        assert_eq!(bad.validate().unwrap_err().kind, ErrorKind::Decode);
        let sha1 = Hashmap {
            block_hash: "sha1".into(),
            ..hm
        };
        let err = sha1.validate().unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert!(err.message.contains("sha1"));
    }

    #[test]
    fn other_algorithms() {
        let h = block_hasher("SHA512").unwrap();
        assert_eq!(h.algorithm(), "sha512");
        assert_eq!(h.digest(b"").len(), 64);
        let hashes = hash_blocks(h.as_ref(), b"abcdefgh", 4);
        assert_eq!(merkle_root(h.as_ref(), &hashes).unwrap().len(), 128);
        assert!(merkle_root(h.as_ref(), &["00".into()]).is_err());
    }
}
