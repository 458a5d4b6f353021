//! What steady-state requests would otherwise read on every call: the verified API tokens with
//! the users behind them, and the bureaus (a few dozen rows that rarely change). Both live at
//! most [`CACHE_TTL`] (on the app's [`Clock`](crate::Clock)) and are dropped at once when a use
//! case of this process changes them ([`CacheChange`]); with a [`CacheInvalidator`] the change
//! also reaches the other replicas, whose listener hands it to [`App::apply_cache_change`]. The
//! TTL is the bound when such a notification is lost.
//!
//! Only successes are cached, so that a flood of forged tokens cannot grow the cache, and the
//! token cache holds at most [`TOKEN_CACHE_CAPACITY`] entries (the oldest goes first). A hit is
//! still checked against the clock (expiry is honoured to the instant, not to the TTL). A read
//! that began before an invalidation never stores what it read (a generation counter), so a
//! revocation cannot be undone by a request that was in flight.
//!
//! Also here: `last_used_at`, recorded in memory on the request path and written by
//! [`App::flush_token_uses`], which the server runs every few seconds and at shutdown.
//! Deliberately not cached: JWT users (looked up by e-mail on each request), and anything a
//! rule decides on besides identity (procedures, approvals), which is always read fresh.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use rollout_domain::identity::User;
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{Bureau, BureauCode, BureauId, TokenId, UserId};

use crate::{App, AppResult};

/// How long a cached token, user or bureau list is trusted without news of a change.
pub const CACHE_TTL: TimeDelta = TimeDelta::seconds(10);

/// The most verified tokens cached at once.
pub const TOKEN_CACHE_CAPACITY: usize = 10_000;

/// A committed change that cached copies must not outlive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheChange {
    /// The token was revoked.
    Token(TokenId),
    /// The user changed (disabled, role, bureau, name).
    User(UserId),
    /// A bureau was created or changed.
    Bureaus,
    /// Anything may have changed (a replica's listener lost its connection).
    Everything,
}

impl CacheChange {
    /// The notification payload: `token:<uuid>`, `user:<uuid>`, `bureaus`, `everything`.
    pub fn to_wire(&self) -> String {
        match self {
            Self::Token(id) => format!("token:{}", id.as_uuid()),
            Self::User(id) => format!("user:{}", id.as_uuid()),
            Self::Bureaus => "bureaus".into(),
            Self::Everything => "everything".into(),
        }
    }

    /// `None` for anything [`CacheChange::to_wire`] does not produce.
    pub fn from_wire(payload: &str) -> Option<Self> {
        let uuid = |s: &str| uuid::Uuid::parse_str(s).ok();
        match payload.split_once(':') {
            Some(("token", id)) => uuid(id).map(|u| Self::Token(TokenId(u))),
            Some(("user", id)) => uuid(id).map(|u| Self::User(UserId(u))),
            None if payload == "bureaus" => Some(Self::Bureaus),
            None if payload == "everything" => Some(Self::Everything),
            _ => None,
        }
    }
}

/// Carries a change to the other replicas. Awaited by the use case after its commit (the
/// local cache is already cleared); it must not fail the use case: it logs what it cannot send.
#[async_trait]
pub trait CacheInvalidator: std::fmt::Debug + Send + Sync {
    async fn publish(&self, change: CacheChange);
}

/// The bureaus as loaded: by id and by code.
#[derive(Debug, Default)]
pub struct BureauDirectory {
    by_id: HashMap<BureauId, Bureau>,
    by_code: HashMap<BureauCode, BureauId>,
}

impl BureauDirectory {
    fn new(rows: Vec<Bureau>) -> Self {
        let by_code = rows.iter().map(|b| (b.code.clone(), b.id)).collect();
        let by_id = rows.into_iter().map(|b| (b.id, b)).collect();
        Self { by_id, by_code }
    }

    pub fn get(&self, id: BureauId) -> Option<&Bureau> {
        self.by_id.get(&id)
    }

    pub fn by_code(&self, code: &BureauCode) -> Option<&Bureau> {
        self.by_code.get(code).and_then(|id| self.by_id.get(id))
    }
}

#[derive(Debug)]
struct TokenEntry {
    token: ApiToken,
    user: User,
    loaded_at: DateTime<Utc>,
    seq: u64,
}

/// Verified tokens by hash, oldest first in `order` (which may hold keys since removed, told
/// apart by their sequence number).
#[derive(Debug, Default)]
struct Tokens {
    entries: HashMap<TokenHash, TokenEntry>,
    order: VecDeque<(TokenHash, u64)>,
    seq: u64,
    generation: u64,
}

impl Tokens {
    fn retain(&mut self, keep: impl Fn(&TokenEntry) -> bool) {
        self.entries.retain(|_, e| keep(e));
        self.generation += 1;
    }

    fn insert(&mut self, hash: TokenHash, token: ApiToken, user: User, now: DateTime<Utc>) {
        while self.entries.len() >= TOKEN_CACHE_CAPACITY {
            let Some((old, seq)) = self.order.pop_front() else {
                break;
            };
            if self.entries.get(&old).is_some_and(|e| e.seq == seq) {
                self.entries.remove(&old);
            }
        }
        self.seq += 1;
        self.order.push_back((hash.clone(), self.seq));
        let entry = TokenEntry {
            token,
            user,
            loaded_at: now,
            seq: self.seq,
        };
        self.entries.insert(hash, entry);
        if self.order.len() > 2 * TOKEN_CACHE_CAPACITY {
            let entries = &self.entries;
            self.order
                .retain(|(h, seq)| entries.get(h).is_some_and(|e| e.seq == *seq));
        }
    }
}

#[derive(Debug, Default)]
struct Bureaus {
    loaded: Option<(DateTime<Utc>, Arc<BureauDirectory>)>,
    generation: u64,
}

/// The state every clone of an [`App`] shares.
#[derive(Debug, Default)]
struct Shared {
    tokens: Mutex<Tokens>,
    bureaus: Mutex<Bureaus>,
    /// Token uses not yet written: the latest instant per token.
    uses: Mutex<HashMap<TokenId, DateTime<Utc>>>,
}

/// The app's caches and where their changes are published.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caches {
    shared: Arc<Shared>,
    invalidator: Option<Arc<dyn CacheInvalidator>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a cache lock leaves plain data behind, still safe to use.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn fresh(loaded_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let age = now - loaded_at;
    age >= TimeDelta::zero() && age < CACHE_TTL
}

/// "Last used" is precise to a minute: a use within a minute of the recorded one is not noted.
const USE_PRECISION: TimeDelta = TimeDelta::minutes(1);

/// The most token uses written in one statement.
const USE_BATCH: usize = 1_000;

impl App {
    /// Publishes cache changes through `invalidator` from now on. Set it before the app is
    /// cloned, as with [`App::with_event_relay`].
    pub fn with_cache_invalidator(mut self, invalidator: Arc<dyn CacheInvalidator>) -> Self {
        self.caches.invalidator = Some(invalidator);
        self
    }

    /// Drops what `change` makes stale from this process's caches (a replica's listener calls
    /// this with what the others published).
    pub fn apply_cache_change(&self, change: CacheChange) {
        tracing::debug!(?change, "cache invalidated");
        let shared = &self.caches.shared;
        match change {
            CacheChange::Token(id) => lock(&shared.tokens).retain(|e| e.token.id != id),
            CacheChange::User(id) => lock(&shared.tokens).retain(|e| e.user.id != id),
            CacheChange::Bureaus => {}
            CacheChange::Everything => lock(&shared.tokens).retain(|_| false),
        }
        if matches!(change, CacheChange::Bureaus | CacheChange::Everything) {
            let mut bureaus = lock(&shared.bureaus);
            bureaus.loaded = None;
            bureaus.generation += 1;
        }
    }

    /// After a committed change: this process at once, then the other replicas.
    pub(crate) async fn changed(&self, change: CacheChange) {
        self.apply_cache_change(change);
        if let Some(invalidator) = &self.caches.invalidator {
            invalidator.publish(change).await;
        }
    }

    /// The cached token and user of `hash`, if cached and fresh.
    pub(crate) fn cached_token(&self, hash: &TokenHash) -> Option<(ApiToken, User)> {
        let now = self.now();
        let mut tokens = lock(&self.caches.shared.tokens);
        match tokens.entries.get(hash) {
            Some(e) if fresh(e.loaded_at, now) => Some((e.token.clone(), e.user.clone())),
            Some(_) => {
                tokens.entries.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Forgets `hash` (its token expired while cached).
    pub(crate) fn forget_token(&self, hash: &TokenHash) {
        lock(&self.caches.shared.tokens).entries.remove(hash);
    }

    /// Pass to [`App::cache_token`] what was read after taking this.
    pub(crate) fn token_generation(&self) -> u64 {
        lock(&self.caches.shared.tokens).generation
    }

    /// Caches a verified token unless an invalidation happened since `generation`.
    pub(crate) fn cache_token(
        &self,
        hash: TokenHash,
        token: ApiToken,
        user: User,
        generation: u64,
    ) {
        let now = self.now();
        let mut tokens = lock(&self.caches.shared.tokens);
        if tokens.generation == generation {
            tokens.insert(hash, token, user, now);
        }
    }

    /// Notes that `token` (behind `hash`) was used now, for [`App::flush_token_uses`].
    pub(crate) fn note_token_use(&self, hash: &TokenHash, token: &ApiToken) {
        let now = self.now();
        if token.last_used_at.is_some_and(|t| now - t <= USE_PRECISION) {
            return;
        }
        lock(&self.caches.shared.uses).insert(token.id, now);
        if let Some(e) = lock(&self.caches.shared.tokens).entries.get_mut(hash) {
            e.token.last_used_at = Some(now);
        }
    }

    /// Writes the token uses noted since the last flush, one statement per [`USE_BATCH`];
    /// returns how many. A failed write is logged and not retried ("last used" is
    /// bookkeeping, not a record).
    pub async fn flush_token_uses(&self) -> usize {
        let uses: Vec<(TokenId, DateTime<Utc>)> = lock(&self.caches.shared.uses).drain().collect();
        for batch in uses.chunks(USE_BATCH) {
            if let Err(e) = self.store().touch_tokens(batch).await {
                tracing::warn!(error = %e, count = batch.len(), "could not record token uses");
            }
        }
        uses.len()
    }

    /// Every bureau, from the cache when it is fresh.
    pub async fn bureau_directory(&self) -> AppResult<Arc<BureauDirectory>> {
        let generation = {
            let bureaus = lock(&self.caches.shared.bureaus);
            if let Some((at, dir)) = &bureaus.loaded
                && fresh(*at, self.now())
            {
                return Ok(dir.clone());
            }
            bureaus.generation
        };
        let loaded_at = self.now();
        let dir = Arc::new(BureauDirectory::new(self.store().list_bureaus().await?));
        let mut bureaus = lock(&self.caches.shared.bureaus);
        if bureaus.generation == generation {
            bureaus.loaded = Some((loaded_at, dir.clone()));
        }
        Ok(dir)
    }

    /// The cached directory if it knows what `found` looks for, else a freshly loaded one: a
    /// bureau created on another replica whose notification is late is found all the same.
    async fn bureaus_finding(
        &self,
        found: impl Fn(&BureauDirectory) -> bool,
    ) -> AppResult<Arc<BureauDirectory>> {
        let dir = self.bureau_directory().await?;
        if found(&dir) {
            return Ok(dir);
        }
        self.apply_cache_change(CacheChange::Bureaus);
        self.bureau_directory().await
    }

    /// The bureaus among `ids` that exist, in no particular order (for data loaders).
    pub async fn bureaus_by_ids(&self, ids: &[BureauId]) -> AppResult<Vec<Bureau>> {
        let dir = self
            .bureaus_finding(|d| ids.iter().all(|id| d.get(*id).is_some()))
            .await?;
        Ok(ids.iter().filter_map(|id| dir.get(*id).cloned()).collect())
    }

    /// The bureau with `code`, if there is one.
    pub async fn bureau_by_code(&self, code: &BureauCode) -> AppResult<Option<Bureau>> {
        let dir = self.bureaus_finding(|d| d.by_code(code).is_some()).await?;
        Ok(dir.by_code(code).cloned())
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
