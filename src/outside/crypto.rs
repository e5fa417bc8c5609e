//! The database key and how it is wrapped. One random data key encrypts the database (SQLCipher,
//! raw key, so opening costs no extra key derivation); each user's password, through argon2id,
//! wraps a copy of it (a key slot). The recovery key is the data key itself, written for paper.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::digest::{hex, unhex};
use crate::error::{Error, Result};

const KEY_LEN: usize = 32;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// argon2id cost. The default (64 MiB, 3 passes) takes a few hundred milliseconds here: slow for
/// guessing, quick enough for a nurse signing in (see the login benchmark in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

pub const DEFAULT_KDF: KdfParams = KdfParams {
    memory_kib: 64 * 1024,
    passes: 3,
    lanes: 1,
};

/// The database's data key; wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; KEY_LEN]);

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// A data key encrypted under a key derived from one secret (a password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub kdf: KdfParams,
    pub salt: String,
    pub nonce: String,
    pub ciphertext: String,
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        Error::Storage(format!(
            "This computer could not supply random numbers for encryption ({e})."
        ))
    })?;
    Ok(bytes)
}

/// `N` random bytes as lower-case hex (report ids).
pub fn random_hex<const N: usize>() -> Result<String> {
    Ok(hex(&random::<N>()?))
}

/// Upper bounds for settings read from the key file, so a damaged file cannot exhaust memory.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_PASSES: u32 = 16;
const MAX_LANES: u32 = 8;

fn derive(secret: &str, salt: &[u8], kdf: KdfParams) -> Result<Zeroizing<[u8; KEY_LEN]>> {
    if kdf.memory_kib > MAX_MEMORY_KIB || kdf.passes > MAX_PASSES || kdf.lanes > MAX_LANES {
        return Err(Error::Database(
            "The key file has unusable key-derivation settings.".into(),
        ));
    }
    let params = Params::new(kdf.memory_kib, kdf.passes, kdf.lanes, Some(KEY_LEN))
        .map_err(|e| Error::Database(format!("The key file has unusable key-derivation settings ({e}).")))?;
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret.as_bytes(), salt, out.as_mut())
        .map_err(|e| Error::Database(format!("Deriving the key failed ({e}).")))?;
    Ok(out)
}

impl DataKey {
    pub fn generate() -> Result<DataKey> {
        Ok(DataKey(random()?))
    }

    /// The value of `PRAGMA key` for this raw key (SQLCipher's `x'…'` form skips its own PBKDF2).
    pub fn sqlcipher_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex(&self.0)))
    }

    /// The recovery key as printed: 64 hex digits in groups of eight.
    pub fn recovery_code(&self) -> String {
        hex(&self.0)
            .to_uppercase()
            .as_bytes()
            .chunks(8)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a recovery key as typed: case, spaces and dashes do not matter.
    pub fn from_recovery_code(code: &str) -> Result<DataKey> {
        let digits: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let bytes = unhex(&digits).filter(|b| b.len() == KEY_LEN).ok_or_else(|| {
            Error::Validation("The recovery key must be 64 characters 0–9 and A–F, as printed at setup.".into())
        })?;
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(&bytes);
        Ok(DataKey(key))
    }

    /// Encrypts this key under `secret` (a password) for a key slot. `owner` (user id and name) is
    /// authenticated with it, so a slot moved to another user in the key file no longer opens.
    pub fn wrap(&self, secret: &str, owner: &str, kdf: KdfParams) -> Result<WrappedKey> {
        let salt: [u8; SALT_LEN] = random()?;
        let nonce: [u8; NONCE_LEN] = random()?;
        let kek = derive(secret, &salt, kdf)?;
        let ciphertext = XChaCha20Poly1305::new(kek.as_ref().into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: self.0.as_slice(),
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| Error::Storage("Encrypting the key failed.".into()))?;
        Ok(WrappedKey {
            kdf,
            salt: hex(&salt),
            nonce: hex(&nonce),
            ciphertext: hex(&ciphertext),
        })
    }

    /// The key inside `wrapped`, or `None` if `secret` or `owner` is not the one it was wrapped with.
    pub fn unwrap(wrapped: &WrappedKey, secret: &str, owner: &str) -> Result<Option<DataKey>> {
        let damaged = || Error::Database("The key file is damaged (a key slot cannot be read).".into());
        let salt = unhex(&wrapped.salt).ok_or_else(damaged)?;
        let nonce = unhex(&wrapped.nonce)
            .filter(|n| n.len() == NONCE_LEN)
            .ok_or_else(damaged)?;
        let ciphertext = unhex(&wrapped.ciphertext).ok_or_else(damaged)?;
        let kek = derive(secret, &salt, wrapped.kdf)?;
        let Ok(plain) = XChaCha20Poly1305::new(kek.as_ref().into()).decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: owner.as_bytes(),
            },
        ) else {
            return Ok(None);
        };
        let plain = Zeroizing::new(plain);
        let key: [u8; KEY_LEN] = plain.as_slice().try_into().map_err(|_| damaged())?;
        Ok(Some(DataKey(key)))
    }
}

/// Does the work of one password check and discards it (for a username that has no slot).
pub fn spend_like_unwrap(secret: &str) -> Result<()> {
    let salt: [u8; SALT_LEN] = random()?;
    derive(secret, &salt, DEFAULT_KDF).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: these tests are about the wrapping, not the cost.
    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    #[test]
    fn a_wrapped_key_opens_with_its_password_only() {
        let key = DataKey::generate().unwrap();
        let slot = key.wrap("correct horse battery", "2:nina", FAST).unwrap();
        assert_eq!(
            DataKey::unwrap(&slot, "correct horse battery", "2:nina").unwrap(),
            Some(key.clone())
        );
        assert_eq!(DataKey::unwrap(&slot, "correct horse batterY", "2:nina").unwrap(), None);
        assert_eq!(
            DataKey::unwrap(&slot, "correct horse battery", "1:ada").unwrap(),
            None,
            "a slot moved to another user opens nothing"
        );
        let other = key.wrap("correct horse battery", "2:nina", FAST).unwrap();
        assert_ne!(slot.salt, other.salt, "every slot has its own salt");
        let greedy = WrappedKey {
            kdf: KdfParams {
                memory_kib: u32::MAX,
                passes: 1,
                lanes: 1,
            },
            ..slot
        };
        assert_eq!(
            DataKey::unwrap(&greedy, "correct horse battery", "2:nina")
                .unwrap_err()
                .kind(),
            "database"
        );
    }

    #[test]
    fn the_recovery_code_round_trips_however_it_is_typed() {
        let key = DataKey::generate().unwrap();
        let code = key.recovery_code();
        assert_eq!(code.len(), 64 + 7);
        assert_eq!(DataKey::from_recovery_code(&code).unwrap(), key);
        assert_eq!(
            DataKey::from_recovery_code(&code.to_lowercase().replace('-', " ")).unwrap(),
            key
        );
        assert_eq!(DataKey::from_recovery_code("1234").unwrap_err().kind(), "validation");
    }
}
