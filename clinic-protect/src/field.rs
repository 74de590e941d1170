//! One field value sealed under the newest key, and keyed blind indexes for exact-match search.
//!
//! Sealed text is `v1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>`: a string, so it fits a SQLite JSON document
//! and a BSON document alike, and says which key opens it. The associated data binds it to its record and
//! field, so a ciphertext copied into another patient or another field fails to open instead of being read
//! as that patient's data.

use aes_gcm::aead::{Aead, Generate, Payload};
use aes_gcm::Nonce;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::keyring::Keyring;
use crate::ProtectError;

/// Version prefix of sealed text.
pub const SEALED_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn aad(record: &str, field: &str) -> Vec<u8> {
    format!("clinic-protect/v1|{record}|{field}").into_bytes()
}

/// The key id of sealed text, when it is sealed text.
pub fn sealed_kid(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(SEALED_PREFIX)?;
    let (kid, _) = rest.split_once(':')?;
    Some(kid)
}

impl Keyring {
    /// Encrypts `plain` under the newest key with a fresh random 96-bit nonce, bound to `record` and `field`.
    pub fn seal(&self, record: &str, field: &str, plain: &[u8]) -> Result<String, ProtectError> {
        let key = self.newest();
        let nonce = Nonce::generate();
        let ct = key
            .cipher
            .encrypt(&nonce, Payload { msg: plain, aad: &aad(record, field) })
            .map_err(|_| ProtectError::Crypto(format!("cannot encrypt field {field}")))?;
        let mut raw = Vec::with_capacity(NONCE_LEN + ct.len());
        raw.extend_from_slice(nonce.as_slice());
        raw.extend_from_slice(&ct);
        Ok(format!("{SEALED_PREFIX}{}:{}", key.kid, B64.encode(raw)))
    }

    /// Decrypts sealed text made by [`seal`](Self::seal) under any key of the ring.
    pub fn open(&self, record: &str, field: &str, sealed: &str) -> Result<Vec<u8>, ProtectError> {
        let bad = |why: &str| ProtectError::Crypto(format!("field {field} of {record}: {why}"));
        let kid = sealed_kid(sealed).ok_or_else(|| bad("not sealed text"))?;
        let key = self.by_kid(kid).ok_or_else(|| {
            ProtectError::UnknownKey(format!(
                "field {field} of {record} is encrypted under key {kid:?}, which is not among the given keys {:?}",
                self.kids()
            ))
        })?;
        let body = &sealed[SEALED_PREFIX.len() + kid.len() + 1..];
        let raw = B64.decode(body).map_err(|_| bad("malformed ciphertext"))?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(bad("ciphertext too short"));
        }
        let (n, ct) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(n).map_err(|_| bad("malformed nonce"))?;
        key.cipher
            .decrypt(&nonce, Payload { msg: ct, aad: &aad(record, field) })
            .map_err(|_| bad("does not decrypt (wrong key, or the value was altered or moved)"))
    }

    /// The blind index of `value` (already normalized the way the field is stored) under the newest key:
    /// `<kid>:<base64url(HMAC-SHA256(index subkey, kind ‖ 0 ‖ value))>`.
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        index_under(self.newest(), kind, value)
    }

    /// The blind indexes of `value` under every live key: what a search looks for while a rotation is in
    /// progress (rows not yet rotated carry the older key's index).
    pub fn blind_candidates(&self, kind: &str, value: &str) -> Vec<String> {
        self.keys.iter().map(|k| index_under(k, kind, value)).collect()
    }
}

fn index_under(key: &crate::keyring::KeyEntry, kind: &str, value: &str) -> String {
    // HMAC accepts keys of any length; a 32-byte key cannot fail.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key.index_key.as_slice()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    format!("{}:{}", key.kid, B64.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(text: &str) -> Keyring {
        Keyring::parse(text).unwrap()
    }
    const K1: &str = "one:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const K2: &str = "two:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    #[test]
    fn seals_with_the_newest_and_opens_with_any() {
        let old = ring(K1);
        let both = ring(&format!("{K1}\n{K2}"));
        let a = old.seal("p1", "phone", b"+12025550143").unwrap();
        assert_eq!(sealed_kid(&a), Some("one"));
        assert!(!a.contains("2025550143"));
        let b = both.seal("p1", "phone", b"+12025550143").unwrap();
        assert_eq!(sealed_kid(&b), Some("two"));
        assert_eq!(both.open("p1", "phone", &a).unwrap(), b"+12025550143");
        assert_eq!(both.open("p1", "phone", &b).unwrap(), b"+12025550143");
        assert!(matches!(old.open("p1", "phone", &b), Err(ProtectError::UnknownKey(_))));
        assert_ne!(both.seal("p1", "phone", b"x").unwrap(), both.seal("p1", "phone", b"x").unwrap(), "fresh nonces");
    }

    #[test]
    fn a_moved_or_altered_ciphertext_does_not_open() {
        let r = ring(K1);
        let s = r.seal("p1", "email", b"ada@example.org").unwrap();
        assert!(r.open("p2", "email", &s).is_err(), "another record");
        assert!(r.open("p1", "phone", &s).is_err(), "another field");
        let mut t = s.clone().into_bytes();
        let last = t.len() - 1;
        t[last] = if t[last] == b'A' { b'B' } else { b'A' };
        assert!(r.open("p1", "email", &String::from_utf8(t).unwrap()).is_err(), "altered");
        assert!(r.open("p1", "email", "v1:one:").is_err());
        assert!(r.open("p1", "email", "plain").is_err());
    }

    #[test]
    fn blind_indexes_are_keyed_per_kind_and_stable() {
        let a = ring(K1);
        let both = ring(&format!("{K1},{K2}"));
        let i = a.blind_index("email", "ada@example.org");
        assert_eq!(i, a.blind_index("email", "ada@example.org"));
        assert_ne!(i, a.blind_index("phone", "ada@example.org"));
        assert!(i.starts_with("one:") && !i.contains("ada"));
        let c = both.blind_candidates("email", "ada@example.org");
        assert_eq!(c[0], i);
        assert!(c[1].starts_with("two:"));
        assert_eq!(both.blind_index("email", "ada@example.org"), c[1]);
    }
}
