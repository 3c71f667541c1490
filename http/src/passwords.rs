//! Password hashing (argon2id, R3), bounded so that no flood of sign-ins or
//! registrations can take the host's memory or threads.
//!
//! argon2id is memory-hard on purpose: each hash fills 19 MiB. Left to the
//! allocator, 64 sign-ins at once took 64 such blocks at the same moment,
//! and glibc kept most of them after they were freed (its arenas grow per
//! thread). So the host hashes in a fixed set of lanes instead:
//! - at most `lanes` hashes run at once, each in a memory
//!   block that lane allocated once and keeps for the life of the host, so
//!   hashing never holds more than `lanes × 19 MiB`, however many ask;
//! - at most `queue` more callers wait for a lane; beyond
//!   that a caller is refused at once with [`Error::Busy`] (503 with
//!   `Retry-After`), holding nothing.
//!
//! A stored hash whose parameters ask for more memory than a lane has (one
//! made by another version or setting) is verified in a block of its own,
//! freed at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use agendo_core::account::PasswordHash;
use argon2::password_hash::phc;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngExt as _;
use tokio::sync::Semaphore;

use crate::error::Error;

/// The length of a new hash's output, in bytes.
const OUTPUT_LEN: usize = 32;
/// The length of a new hash's salt, in bytes.
const SALT_LEN: usize = 16;

/// The host's password hasher.
pub struct Passwords {
    params: Params,
    /// The memory blocks of idle lanes. A `std::sync::Mutex`: it is held
    /// only to take or put back a block, never across an await.
    idle: Mutex<Vec<Vec<Block>>>,
    lanes: usize,
    permits: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
    /// A hash of nothing anyone knows, verified when an e-mail has no
    /// account, so a wrong e-mail takes as long as a wrong password.
    decoy: PasswordHash,
}

impl Passwords {
    /// A hasher with OWASP's argon2id parameters (19 MiB, 2 passes), `lanes`
    /// hashes at once and `queue` callers waiting at most.
    ///
    /// # Errors
    /// [`Error::Internal`] when the decoy hash cannot be made.
    pub fn new(lanes: usize, queue: usize) -> Result<Arc<Passwords>, Error> {
        let lanes = lanes.max(1);
        let params = Params::new(
            Params::DEFAULT_M_COST,
            Params::DEFAULT_T_COST,
            Params::DEFAULT_P_COST,
            Some(OUTPUT_LEN),
        )
        .map_err(internal)?;
        let mut memory = vec![Block::default(); params.block_count()];
        let decoy = hash_in(&params, &rand::rng().random::<[u8; 32]>(), &mut memory)?;
        Ok(Arc::new(Passwords {
            params,
            idle: Mutex::new(vec![memory]),
            lanes,
            permits: Semaphore::new(lanes),
            waiting: AtomicUsize::new(0),
            queue,
            decoy,
        }))
    }

    /// A hasher sized for this machine: a lane per core, at most four, and
    /// 32 callers waiting.
    ///
    /// # Errors
    /// As [`Passwords::new`].
    pub fn for_host() -> Result<Arc<Passwords>, Error> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Passwords::new(cores.min(4), 32)
    }

    /// Hashes a new password.
    ///
    /// # Errors
    /// [`Error::Busy`] when every lane is taken and the queue is full;
    /// [`Error::Internal`] when hashing fails.
    pub async fn hash(self: &Arc<Self>, password: &str) -> Result<PasswordHash, Error> {
        let password = password.to_owned();
        self.in_lane(move |this, memory| hash_in(&this.params, password.as_bytes(), memory))
            .await?
    }

    /// Whether `password` is the one `hash` was made from. With no hash,
    /// checks against the decoy so the answer takes as long, and is false.
    ///
    /// # Errors
    /// [`Error::Busy`] when every lane is taken and the queue is full.
    pub async fn verify(
        self: &Arc<Self>,
        password: &str,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, Error> {
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.decoy).clone();
        let matches = self
            .in_lane(move |this, memory| this.verify_in(password.as_bytes(), &hash, memory))
            .await?;
        Ok(matches && known)
    }

    /// Runs `work` on a blocking thread with a lane's memory, waiting for
    /// a lane if the queue has room.
    async fn in_lane<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Passwords, &mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let permit = match self.permits.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return Err(Error::Busy { retry_after: 1 });
                }
                let permit = self.permits.acquire().await;
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                permit.map_err(internal)?
            }
        };
        let this = Arc::clone(self);
        let done = tokio::task::spawn_blocking(move || {
            let mut memory = this.block();
            let out = work(&this, &mut memory);
            this.put_back(memory);
            out
        })
        .await
        .map_err(internal);
        drop(permit);
        done
    }

    /// An idle lane's block, or a new one for a lane's first hash.
    fn block(&self) -> Vec<Block> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        idle.unwrap_or_else(|| vec![Block::default(); self.params.block_count()])
    }

    fn put_back(&self, memory: Vec<Block>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.lanes && memory.len() == self.params.block_count() {
            idle.push(memory);
        }
    }

    fn verify_in(&self, password: &[u8], hash: &PasswordHash, memory: &mut [Block]) -> bool {
        let Ok(parsed) = phc::PasswordHash::new(hash.as_str()) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
            return false;
        };
        let (Ok(algorithm), Ok(params)) = (
            Algorithm::try_from(parsed.algorithm.as_str()),
            Params::try_from(&parsed),
        ) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(version)) => version,
            Some(Err(_)) => return false,
        };
        let Ok(params) = Params::new(
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            Some(expected.len()),
        ) else {
            return false;
        };
        let mut own;
        let blocks = params.block_count();
        let memory: &mut [Block] = if blocks <= memory.len() {
            &mut memory[..blocks]
        } else {
            own = vec![Block::default(); blocks];
            &mut own
        };
        let mut out = vec![0u8; expected.len()];
        let argon2 = Argon2::new(algorithm, version, params);
        if argon2
            .hash_password_into_with_memory(password, salt, &mut out, memory)
            .is_err()
        {
            return false;
        }
        // `Output`'s comparison takes the same time wherever they differ.
        phc::Output::new(&out).is_ok_and(|computed| computed == *expected)
    }
}

/// A new hash of `password` with `params`, a random salt, in `memory`.
fn hash_in(params: &Params, password: &[u8], memory: &mut [Block]) -> Result<PasswordHash, Error> {
    let salt: [u8; SALT_LEN] = rand::rng().random();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password, &salt, &mut out, memory)
        .map_err(internal)?;
    let hash = phc::PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: phc::ParamsString::try_from(params).map_err(internal)?,
        salt: Some(phc::Salt::new(&salt).map_err(internal)?),
        hash: Some(phc::Output::new(&out).map_err(internal)?),
    };
    PasswordHash::parse(&hash.to_string()).map_err(Error::from)
}

fn internal(error: impl std::fmt::Display) -> Error {
    Error::Internal {
        detail: format!("argon2: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    #[tokio::test]
    async fn a_password_verifies_against_its_hash_and_an_unknown_account_never_does() {
        let passwords = Passwords::new(2, 4).unwrap();
        let hash = passwords.hash("cavalo-bateria-grampo").await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(passwords
            .verify("cavalo-bateria-grampo", Some(&hash))
            .await
            .unwrap());
        assert!(!passwords
            .verify("cavalo-bateria-grampa", Some(&hash))
            .await
            .unwrap());
        assert!(!passwords.verify("anything", None).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        let passwords = Passwords::new(1, 1).unwrap();
        let ours = passwords.hash("senha-muito-boa").await.unwrap();
        let parsed = phc::PasswordHash::new(ours.as_str()).unwrap();
        assert!(Argon2::default()
            .verify_password(b"senha-muito-boa", &parsed)
            .is_ok());
        // A hash the crate made with other parameters (less memory than a
        // lane, and more) verifies here too.
        for m_cost in [4096, 32768] {
            let theirs = Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(m_cost, 1, 1, None).unwrap(),
            )
            .hash_password(b"outra-senha-boa")
            .unwrap()
            .to_string();
            let theirs = PasswordHash::parse(&theirs).unwrap();
            assert!(passwords
                .verify("outra-senha-boa", Some(&theirs))
                .await
                .unwrap());
            assert!(!passwords.verify("outra", Some(&theirs)).await.unwrap());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_past_the_lanes_and_the_queue_are_refused_at_once() {
        let passwords = Passwords::new(1, 2).unwrap();
        // The one lane is taken: two callers wait, the third is refused.
        let held = passwords.permits.try_acquire().unwrap();
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let passwords = Arc::clone(&passwords);
                tokio::spawn(async move { passwords.verify("x", None).await })
            })
            .collect();
        while passwords.waiting.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            passwords.verify("x", None).await,
            Err(Error::Busy { .. })
        ));
        drop(held);
        for waiter in waiters {
            assert!(!waiter.await.unwrap().unwrap());
        }
        assert_eq!(passwords.waiting.load(Ordering::Acquire), 0);
        // Memory kept: one lane's block, never more.
        assert_eq!(passwords.idle.lock().unwrap().len(), 1);
    }
}

/// The engine's port to the host's hashing lanes
/// ([`agendo_core::account::Passwords`]).
#[derive(Clone)]
pub struct Port(pub Arc<Passwords>);

#[async_trait::async_trait]
impl agendo_core::account::Passwords for Port {
    async fn hash(&self, password: &str) -> Result<PasswordHash, agendo_core::Error> {
        self.0.hash(password).await.map_err(to_core)
    }

    async fn verify(
        &self,
        password: &str,
        hash: &PasswordHash,
    ) -> Result<bool, agendo_core::Error> {
        self.0.verify(password, Some(hash)).await.map_err(to_core)
    }
}

fn to_core(error: Error) -> agendo_core::Error {
    match error {
        Error::Busy { retry_after } => agendo_core::Error::Busy { retry_after },
        Error::Core(core) => core,
        other => agendo_core::Error::Storage {
            detail: other.to_string(),
        },
    }
}
