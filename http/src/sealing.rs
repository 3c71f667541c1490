//! Sealing a business's channel credentials (a WhatsApp access token, an
//! SMS provider's auth token) before they reach the database: AES-256-GCM
//! (ring) under a key from the environment.
//!
//! `AGENDO_CHANNEL_KEYS` lists keys, newest first, each 32 bytes in
//! base64: the first seals, every one opens. To rotate, put a new key
//! first and keep the old one after it until `agendo reseal` has sealed
//! every credential again under the new one; then drop the old. Without
//! the variable, one key is derived from the token secret
//! (`AGENDO_SECRET`, or the one kept beside the SQLite file).
//!
//! A sealed value is `s1`, the key's id (8 bytes of its SHA-256), a
//! random 96-bit nonce, then the ciphertext and tag. The business and the
//! purpose (the channel, the endpoint) are the associated data, so a
//! sealed value copied to another business or purpose does not open.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngExt as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use sha2::{Digest, Sha256};

use agendo_core::ids::BusinessId;

use crate::error::Error;

const TAG: &[u8; 2] = b"s1";
const ID_LEN: usize = 8;

/// The keys credentials are sealed and opened with.
pub struct Sealer {
    /// Newest first: the first seals.
    keys: Vec<([u8; ID_LEN], LessSafeKey)>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer({} keys)", self.keys.len())
    }
}

impl Sealer {
    /// The keys of `AGENDO_CHANNEL_KEYS` (`listed`), or one derived from
    /// the token `secret` when none is listed.
    ///
    /// # Errors
    /// [`Error::Config`] for a listed key that is not 32 bytes in base64.
    pub fn new(listed: Option<&str>, secret: &str) -> Result<Sealer, Error> {
        let raw: Vec<[u8; 32]> = match listed {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .enumerate()
                .map(|(i, text)| {
                    STANDARD
                        .decode(text)
                        .ok()
                        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                        .ok_or_else(|| Error::Config {
                            var: "AGENDO_CHANNEL_KEYS",
                            problem: format!("key {} is not 32 bytes in base64", i + 1),
                        })
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let raw = if raw.is_empty() {
            let mut derived = Sha256::new();
            derived.update(b"agendo channel key v1\0");
            derived.update(secret.as_bytes());
            vec![<[u8; 32]>::from(derived.finalize())]
        } else {
            raw
        };
        let keys = raw
            .iter()
            .map(|key| {
                let digest = Sha256::digest(key);
                let mut id = [0u8; ID_LEN];
                id.copy_from_slice(&digest[..ID_LEN]);
                let unbound = UnboundKey::new(&AES_256_GCM, key).map_err(|_| Error::Config {
                    var: "AGENDO_CHANNEL_KEYS",
                    problem: "a key cannot be used for AES-256-GCM".to_owned(),
                })?;
                Ok((id, LessSafeKey::new(unbound)))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Sealer { keys })
    }

    /// `secret` sealed for `business`'s `purpose` (a channel's kind, a
    /// webhook endpoint) under the newest key.
    ///
    /// # Errors
    /// [`Error::Internal`] when sealing fails.
    pub fn seal(
        &self,
        business: BusinessId,
        purpose: &str,
        secret: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let (id, key) = self.keys.first().ok_or_else(|| Error::Internal {
            detail: "no key to seal with".to_owned(),
        })?;
        let nonce: [u8; NONCE_LEN] = rand::rng().random();
        let mut body = secret.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(business, purpose)),
            &mut body,
        )
        .map_err(|_| Error::Internal {
            detail: "sealing failed".to_owned(),
        })?;
        let mut out = Vec::with_capacity(TAG.len() + ID_LEN + NONCE_LEN + body.len());
        out.extend_from_slice(TAG);
        out.extend_from_slice(id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// What `sealed` holds, if one of the keys opens it for `business`'s
    /// `purpose`; whether that key is the newest.
    pub fn open(
        &self,
        business: BusinessId,
        purpose: &str,
        sealed: &[u8],
    ) -> Option<(Vec<u8>, bool)> {
        let rest = sealed.strip_prefix(TAG.as_slice())?;
        if rest.len() < ID_LEN + NONCE_LEN {
            return None;
        }
        let (id, rest) = rest.split_at(ID_LEN);
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let position = self.keys.iter().position(|(k, _)| k == id)?;
        let key = &self.keys[position].1;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let clear = key
            .open_in_place(nonce, Aad::from(aad(business, purpose)), &mut body)
            .ok()?;
        Some((clear.to_vec(), position == 0))
    }
}

fn aad(business: BusinessId, purpose: &str) -> Vec<u8> {
    format!("{business}/{purpose}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    #[test]
    fn sealed_opens_only_for_its_business_and_channel() {
        let sealer = Sealer::new(None, "a-test-secret-of-at-least-32-bytes!!").unwrap();
        let shop = BusinessId::random();
        let sealed = sealer.seal(shop, "whatsapp", b"EAAG-token").unwrap();
        assert!(!sealed.windows(10).any(|w| w == b"EAAG-token"));
        assert_eq!(
            sealer.open(shop, "whatsapp", &sealed),
            Some((b"EAAG-token".to_vec(), true))
        );
        assert_eq!(sealer.open(shop, "sms", &sealed), None);
        assert_eq!(sealer.open(BusinessId::random(), "whatsapp", &sealed), None);
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(sealer.open(shop, "whatsapp", &altered), None);
        assert_eq!(sealer.open(shop, "whatsapp", b"s1"), None);
    }

    #[test]
    fn a_rotated_key_still_opens_what_it_sealed() {
        let shop = BusinessId::random();
        let old = Sealer::new(Some(&key(1)), "unused").unwrap();
        let sealed = old.seal(shop, "sms", b"twilio").unwrap();
        let rotated = Sealer::new(Some(&format!("{}, {}", key(2), key(1))), "unused").unwrap();
        assert_eq!(
            rotated.open(shop, "sms", &sealed),
            Some((b"twilio".to_vec(), false))
        );
        let resealed = rotated.seal(shop, "sms", b"twilio").unwrap();
        assert_eq!(
            rotated.open(shop, "sms", &resealed),
            Some((b"twilio".to_vec(), true))
        );
        let dropped = Sealer::new(Some(&key(2)), "unused").unwrap();
        assert_eq!(dropped.open(shop, "sms", &sealed), None);
    }

    #[test]
    fn a_bad_key_names_the_variable() {
        let err = Sealer::new(Some("c2hvcnQ="), "x").unwrap_err();
        assert!(err.to_string().contains("AGENDO_CHANNEL_KEYS"), "{err}");
    }
}
