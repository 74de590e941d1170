//! The customer-managed keys and what is derived from them.
//!
//! A key is 32 random bytes the operator owns, with a key id (`kid`) that travels in every ciphertext made
//! under it. Several keys can be live at once (a rotation in progress): the last one given is the newest and
//! encrypts; every one decrypts. Each key never touches data itself: HKDF-SHA256 derives from it one subkey
//! that encrypts fields and another that computes blind indexes, so a leaked index key (or a weakness in the
//! way indexes are used) says nothing about the encryption key and vice versa.

use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::ProtectError;

/// HKDF `info` of the field-encryption subkey.
const INFO_ENCRYPT: &[u8] = b"clinic-protect v1 field encryption";
/// HKDF `info` of the blind-index subkey.
const INFO_INDEX: &[u8] = b"clinic-protect v1 blind index";
/// Longest key id: it is repeated in every ciphertext.
const MAX_KID: usize = 32;

/// One customer key's derived subkeys. Debug shows the key id only.
pub(crate) struct KeyEntry {
    pub(crate) kid: String,
    pub(crate) cipher: Aes256Gcm,
    pub(crate) index_key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry").field("kid", &self.kid).field("key", &"<redacted>").finish()
    }
}

/// The live customer keys, oldest first; the last encrypts. Cheap to share behind an `Arc`; `Debug` prints
/// key ids, never key material.
pub struct Keyring {
    pub(crate) keys: Vec<KeyEntry>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("kids", &self.kids()).field("newest", &self.newest_kid()).finish()
    }
}

fn valid_kid(kid: &str) -> bool {
    !kid.is_empty() && kid.len() <= MAX_KID && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// 64 hex digits or the base64 (standard or URL-safe, padded or not) of exactly 32 bytes.
fn decode_key(text: &str) -> Option<Zeroizing<[u8; 32]>> {
    use base64::Engine as _;
    let mut out = Zeroizing::new([0u8; 32]);
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        for (i, chunk) in text.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(chunk).ok()?;
            out[i] = u8::from_str_radix(s, 16).ok()?;
        }
        return Some(out);
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    for e in engines {
        if let Ok(bytes) = e.decode(text) {
            let bytes = Zeroizing::new(bytes);
            if bytes.len() == 32 {
                out.copy_from_slice(&bytes);
                return Some(out);
            }
        }
    }
    None
}

/// The key id of a key given without one: a fingerprint that says which key it is without revealing it.
fn fingerprint_kid(key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"clinic-protect v1 key id");
    h.update(key);
    let d = h.finalize();
    let hex: String = d.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("k{hex}")
}

impl Keyring {
    /// Builds the ring from `(kid, 32-byte key)` pairs, oldest first.
    pub fn from_keys(keys: Vec<(String, Zeroizing<[u8; 32]>)>) -> Result<Keyring, ProtectError> {
        if keys.is_empty() {
            return Err(ProtectError::Config("no encryption key given".into()));
        }
        let mut out: Vec<KeyEntry> = Vec::with_capacity(keys.len());
        for (kid, key) in keys {
            if !valid_kid(&kid) {
                return Err(ProtectError::Config(format!(
                    "key id {kid:?} is not 1–{MAX_KID} characters of A–Z, a–z, 0–9, '-' or '_'"
                )));
            }
            if out.iter().any(|k| k.kid == kid) {
                return Err(ProtectError::Config(format!("key id {kid:?} is given twice")));
            }
            let hk = Hkdf::<Sha256>::new(Some(b"clinic-protect"), key.as_slice());
            let mut enc = Zeroizing::new([0u8; 32]);
            let mut idx = Zeroizing::new([0u8; 32]);
            hk.expand(INFO_ENCRYPT, enc.as_mut_slice())
                .and_then(|_| hk.expand(INFO_INDEX, idx.as_mut_slice()))
                .map_err(|_| ProtectError::Config("key derivation failed".into()))?;
            let cipher = Aes256Gcm::new_from_slice(enc.as_slice())
                .map_err(|_| ProtectError::Config("key derivation failed".into()))?;
            out.push(KeyEntry { kid, cipher, index_key: idx });
        }
        Ok(Keyring { keys: out })
    }

    /// Parses keys as an operator writes them (a key file's content or an environment variable): entries
    /// separated by newlines, commas or spaces, `#` starting a comment to the end of its line. An entry is
    /// `kid:KEY` or a bare `KEY` (its key id is then a fingerprint, `k` + 8 hex digits); `KEY` is 64 hex
    /// digits or base64 of 32 bytes. The last entry is the newest key. Errors never quote key material.
    pub fn parse(text: &str) -> Result<Keyring, ProtectError> {
        let mut keys = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            for (n, entry) in line.split([',', ' ', '\t']).map(str::trim).filter(|e| !e.is_empty()).enumerate() {
                let (kid, key_text) = match entry.split_once(':') {
                    Some((kid, key)) => (Some(kid.trim()), key.trim()),
                    None => (None, entry),
                };
                let key = decode_key(key_text).ok_or_else(|| {
                    ProtectError::Config(format!(
                        "encryption key entry {} (key id {}) is not 32 bytes as 64 hex digits or base64",
                        keys.len() + n + 1,
                        kid.unwrap_or("none")
                    ))
                })?;
                let kid = kid.map(str::to_string).unwrap_or_else(|| fingerprint_kid(&key));
                keys.push((kid, key));
            }
        }
        Keyring::from_keys(keys)
    }

    /// A new random key as a key file line (`kid:<64 hex digits>`), for a first start.
    pub fn generate_entry() -> Zeroizing<String> {
        let key = Zeroizing::new(rand::random::<[u8; 32]>());
        let hex: Zeroizing<String> = Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect());
        Zeroizing::new(format!("{}:{}", fingerprint_kid(&key), hex.as_str()))
    }

    /// The key ids, oldest first.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.kid.as_str()).collect()
    }

    /// The key id that encrypts.
    pub fn newest_kid(&self) -> &str {
        self.newest().kid.as_str()
    }

    pub(crate) fn newest(&self) -> &KeyEntry {
        // `from_keys` refuses an empty ring.
        &self.keys[self.keys.len() - 1]
    }

    pub(crate) fn by_kid(&self, kid: &str) -> Option<&KeyEntry> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn parses_entries_and_the_last_is_newest() {
        let ring = Keyring::parse(&format!("# keys\nold:{HEX}\n\n{}  # new\n", "A".repeat(43) + "=")).unwrap();
        assert_eq!(ring.kids().len(), 2);
        assert_eq!(ring.kids()[0], "old");
        assert!(ring.newest_kid().starts_with('k') && ring.newest_kid().len() == 9, "{}", ring.newest_kid());
        let ring = Keyring::parse(&format!("a:{HEX},b:{HEX}")).unwrap();
        assert_eq!(ring.kids(), vec!["a", "b"]);
    }

    #[test]
    fn refuses_bad_keys_without_quoting_them() {
        for bad in ["", "# nothing", "x:abcd", "a b:c", &format!("a:{HEX}\na:{HEX}"), &format!("bad/kid:{HEX}")] {
            let e = Keyring::parse(bad).unwrap_err().to_string();
            assert!(!e.contains("abcd") && !e.contains(HEX), "{e}");
        }
    }

    #[test]
    fn debug_shows_kids_only() {
        let ring = Keyring::parse(&format!("main:{HEX}")).unwrap();
        let d = format!("{ring:?}");
        assert!(d.contains("main") && !d.contains("0001020304"), "{d}");
    }

    #[test]
    fn generated_entries_parse() {
        let e = Keyring::generate_entry();
        let ring = Keyring::parse(&e).unwrap();
        assert_eq!(ring.kids().len(), 1);
        assert_ne!(*Keyring::generate_entry(), *e);
    }
}
