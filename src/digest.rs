//! Hashing, at the bottom of the house: the sha256 hex digests that tie evidence files to their
//! manifest, waiver and attestation files to the evidence that records them, and release assets
//! to `SHA256SUMS`. A leaf every module may use, so no module reaches up to `evidence` for a
//! hash.

use sha2::{Digest, Sha256};

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256_hex_parts([bytes])
}

/// Lower-case hex sha256 of `parts` hashed one after the other, as if concatenated: saves
/// joining them into one buffer first.
pub fn sha256_hex_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // FIPS 180-2 test vector.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex_parts([b"a".as_slice(), b"bc"]),
            sha256_hex(b"abc")
        );
    }
}
