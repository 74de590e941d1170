//! # clinic-protect
//!
//! Data protection at rest for the clinic stores: patient PHI sealed field by field with AES-256-GCM under a
//! customer-managed key, keyed blind indexes (HMAC-SHA256) so exact-match search on MRN, phone, e-mail and date
//! of birth keeps working, several live keys for rotation, and consistent fakes for masked copies. No I/O:
//! the stores call it from their patient codecs, the server loads the keys.
//!
//! ## Why the customer key derives the field key directly (no per-record wrapped data keys)
//! Classic envelope encryption gives every record a random data key and stores it wrapped by the key
//! encryption key, so that rotating the KEK re-wraps small data keys instead of re-encrypting bulk data. Here
//! the "bulk data" of a patient is a handful of fields of tens of bytes: re-wrapping a 32-byte data key costs
//! the same as re-encrypting the fields, and a wrapped key per record would double what is stored and add a
//! second decryption to every read. So each customer key is the root of its own small envelope: HKDF-SHA256
//! derives from it a field-encryption key and a separate blind-index key (compromise or misuse of one says
//! nothing about the other), every field gets a fresh random 96-bit nonce, and every ciphertext names its key
//! (`v1:<kid>:…`). Random nonces under one AES-GCM key are safe for about 2³² encryptions (NIST SP 800-38D);
//! a clinic rewrites patients far less often than that between rotations. The associated data binds each
//! ciphertext to its patient id and field name, so values cannot be swapped between rows or fields unnoticed.
//! Rotation (`clinic-server keys rotate`) re-seals every patient under the newest key; old keys are retired
//! by dropping them from the key list once nothing is sealed under them.
//!
//! ## Blind indexes and rotation
//! A blind index is `<kid>:<HMAC(index key, kind ‖ 0 ‖ normalized value)>`. While a rotation runs, rows carry
//! indexes under either key, so a search asks for the index under every live key ([`Keyring::search_indexes`]).
//! Equal values have equal indexes: the store learns which patients share a phone or a birth date (not what
//! it is) — the price of exact-match search on encrypted data.

mod field;
mod keyring;
mod mask;
mod patient;

pub use field::{sealed_kid, SEALED_PREFIX};
pub use keyring::Keyring;
pub use mask::Masker;
pub use patient::{is_sealed, open_patient, IndexKind, SealedPatient, KID_FIELD};
pub use zeroize::Zeroizing;

/// What can go wrong with keys and ciphertexts. Messages never contain key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum ProtectError {
    /// The keys given are unusable.
    #[error("encryption keys: {0}")]
    Config(String),
    /// Data sealed under a key that is not in the ring.
    #[error("{0}")]
    UnknownKey(String),
    /// A ciphertext that does not open (wrong key, altered or moved).
    #[error("encrypted data: {0}")]
    Crypto(String),
}
