//! Capability tokens: a user, one of their conversations, the folder (or
//! file) of it they reach, the share link they were made for if any, and an
//! expiry, signed with the server's key (HMAC-SHA256), in base64url without
//! padding.
//! The key is made once, at first start, from the OS's randomness, and kept
//! in the data directory, or, with PostgreSQL, in its `settings` table so
//! that every instance signs alike; it is never logged (`Signer` has no
//! `Debug`).

use crate::error::AppError;
use crate::server::meta::Meta;
use crate::server::store::blobs::local::{sync_dir, write_atomic};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::io;
use std::path::Path;
use uuid::Uuid;

/// The key's file in the data directory (SQLite mode).
pub const KEY_FILE: &str = "content.key";
const KEY_BYTES: usize = 32;
/// User id, conversation id, expiry (Unix seconds, big-endian), share link
/// id (nil for none); the scope's bytes follow.
const FIXED_BYTES: usize = 16 + 16 + 8 + 16;
const TAG_BYTES: usize = 32;

/// What a token lets its holder read: the virtual paths at or below
/// `scope` in one conversation of one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub user: Uuid,
    pub conversation: Uuid,
    /// A virtual path: `mnt/user-data` for the whole conversation; a share
    /// link's previews reach only what it shares.
    pub scope: String,
    /// The share link whose page made it: honoured only while the link is.
    pub share: Option<Uuid>,
}

impl Grant {
    /// Every file of the conversation.
    pub fn conversation(user: Uuid, conversation: Uuid) -> Self {
        Self { user, conversation, scope: crate::server::vpath::ROOT.to_string(), share: None }
    }

    /// Whether the (checked) virtual path `path` is within the scope.
    pub fn covers(&self, path: &str) -> bool {
        path.strip_prefix(self.scope.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// Why a token is not honoured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed, or not signed by this server's key.
    Forged,
    Expired,
}

#[derive(Clone)]
pub struct Signer {
    mac: Hmac<Sha256>,
}

impl Signer {
    /// The signer of the key that `meta` keeps for every instance, else of
    /// the data directory's; either is made if there is none yet.
    pub fn open_for(meta: &Meta, data_dir: &Path) -> Result<Self, AppError> {
        match meta.shared_content_key(random_key())? {
            Some(key) => Ok(Self::with_key(&key, "The database's content_key setting")?),
            None => Ok(Self::open(data_dir)?),
        }
    }

    /// The signer of the data directory's key, made if there is none yet.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let key = match std::fs::read(data_dir.join(KEY_FILE)) {
            Ok(key) => key,
            Err(e) if e.kind() == io::ErrorKind::NotFound => new_key(data_dir)?,
            Err(e) => return Err(e),
        };
        Self::with_key(&key, KEY_FILE)
    }

    /// The signer of `key`, read from `kept`.
    fn with_key(key: &[u8], kept: &str) -> io::Result<Self> {
        if key.len() != KEY_BYTES {
            let detail = format!("{kept} is damaged; remove it to make a new one (open links stop working)");
            return Err(io::Error::new(io::ErrorKind::InvalidData, detail));
        }
        Ok(Self { mac: Hmac::new_from_slice(key).expect("HMAC takes a key of any length") })
    }

    pub fn sign(&self, grant: &Grant, expires: i64) -> String {
        let mut bytes = Vec::with_capacity(FIXED_BYTES + grant.scope.len() + TAG_BYTES);
        bytes.extend_from_slice(grant.user.as_bytes());
        bytes.extend_from_slice(grant.conversation.as_bytes());
        bytes.extend_from_slice(&expires.to_be_bytes());
        bytes.extend_from_slice(grant.share.unwrap_or_default().as_bytes());
        bytes.extend_from_slice(grant.scope.as_bytes());
        let tag = self.mac.clone().chain_update(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The grant of a token signed by this key that has not expired at `now`.
    pub fn verify(&self, token: &str, now: i64) -> Result<Grant, Refusal> {
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| Refusal::Forged)?;
        if bytes.len() < FIXED_BYTES + TAG_BYTES {
            return Err(Refusal::Forged);
        }
        let (payload, tag) = bytes.split_at(bytes.len() - TAG_BYTES);
        self.mac.clone().chain_update(payload).verify_slice(tag).map_err(|_| Refusal::Forged)?;
        let id = |range: std::ops::Range<usize>| Uuid::from_slice(&payload[range]).expect("16 bytes");
        let expires = i64::from_be_bytes(payload[32..40].try_into().expect("8 bytes"));
        if now >= expires {
            return Err(Refusal::Expired);
        }
        let scope = String::from_utf8(payload[FIXED_BYTES..].to_vec()).map_err(|_| Refusal::Forged)?;
        let share = Some(id(40..56)).filter(|id| !id.is_nil());
        Ok(Grant { user: id(0..16), conversation: id(16..32), scope, share })
    }
}

fn random_key() -> Vec<u8> {
    let mut key = vec![0; KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

fn new_key(data_dir: &Path) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::PermissionsExt;
    let key = random_key();
    write_atomic(data_dir, KEY_FILE, &key)?;
    std::fs::set_permissions(data_dir.join(KEY_FILE), std::fs::Permissions::from_mode(0o600))?;
    sync_dir(data_dir)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hold_their_grant_until_they_expire_and_resist_edits() {
        let dir = tempfile::tempdir().unwrap();
        let signer = Signer::open(dir.path()).unwrap();
        let grant = Grant::conversation(Uuid::new_v4(), Uuid::new_v4());
        let token = signer.sign(&grant, 1_000);
        assert!(!token.contains('=') && !token.contains('+') && !token.contains('/'), "{token}");
        assert_eq!(signer.verify(&token, 999), Ok(grant.clone()));
        assert_eq!(signer.verify(&token, 1_000), Err(Refusal::Expired));
        // The same key after a restart; another data directory's key refuses it.
        assert_eq!(Signer::open(dir.path()).unwrap().verify(&token, 0), Ok(grant.clone()));
        let other = tempfile::tempdir().unwrap();
        assert_eq!(Signer::open(other.path()).unwrap().verify(&token, 0), Err(Refusal::Forged));
        // Another conversation inside, or a later expiry, breaks the signature.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[20] ^= 1;
        assert_eq!(signer.verify(&URL_SAFE_NO_PAD.encode(&bytes), 0), Err(Refusal::Forged));
        bytes[20] ^= 1;
        bytes[39] ^= 0x10;
        assert_eq!(signer.verify(&URL_SAFE_NO_PAD.encode(&bytes), 0), Err(Refusal::Forged));
        // A narrower scope is signed too: widening it breaks the signature.
        let narrow = Grant { scope: "mnt/user-data/outputs/out".into(), share: Some(Uuid::new_v4()), ..grant };
        let token = signer.sign(&narrow, 1_000);
        assert_eq!(signer.verify(&token, 0), Ok(narrow.clone()));
        assert!(narrow.covers("mnt/user-data/outputs/out/a.png") && narrow.covers("mnt/user-data/outputs/out"));
        assert!(!narrow.covers("mnt/user-data/outputs/outside.png") && !narrow.covers("mnt/user-data/outputs"));
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes.truncate(bytes.len() - 32 - 4);
        bytes.extend_from_slice(&URL_SAFE_NO_PAD.decode(&token).unwrap()[bytes.len() + 4..]);
        assert_eq!(signer.verify(&URL_SAFE_NO_PAD.encode(&bytes), 0), Err(Refusal::Forged));
        for junk in ["", "api", &token[..token.len() - 1], &format!("{token}A"), &format!("{token}==")] {
            assert_eq!(signer.verify(junk, 0), Err(Refusal::Forged), "{junk}");
        }
    }
}
