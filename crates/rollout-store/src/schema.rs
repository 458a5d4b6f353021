//! Whether a database's schema is the one this build expects, judged from the migrations it
//! records (sqlx's `_sqlx_migrations`) against the migrations embedded in the build. Servers
//! that must not migrate (they run as a role that owns nothing) check this at start instead.
//! Reading the table is each backend's business; the judgement is shared here so that both
//! answer alike. It does not look at the tables themselves: a schema changed by hand behind
//! sqlx's back is not detected.

/// How the database's schema compares with this build's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaState {
    /// Every migration of this build is applied, and no other.
    Current,
    /// These migrations of this build are not applied yet; `rollout migrate` applies them.
    Behind { missing: Vec<i64> },
    /// The database records migrations newer than any of this build's: a newer rollout
    /// migrated it, and this one must not run against it (nor try to migrate it).
    Newer { database: i64, build: i64 },
    /// The database records migrations this build does not have, or has them with other
    /// contents, or as failed: a different build migrated it.
    Diverged { versions: Vec<i64> },
}

impl SchemaState {
    /// Compares the migrations the build embeds (`expected`: version and checksum, the SHA-384
    /// sqlx computes) with the rows of `_sqlx_migrations` (`applied`: version, checksum and
    /// whether it succeeded).
    pub fn judge(
        expected: impl IntoIterator<Item = (i64, Vec<u8>)>,
        applied: impl IntoIterator<Item = (i64, Vec<u8>, bool)>,
    ) -> Self {
        let expected: Vec<(i64, Vec<u8>)> = expected.into_iter().collect();
        let applied: Vec<(i64, Vec<u8>, bool)> = applied.into_iter().collect();
        let build = expected.iter().map(|(v, _)| *v).max().unwrap_or(0);
        let database = applied.iter().map(|(v, ..)| *v).max().unwrap_or(0);
        if database > build {
            return Self::Newer { database, build };
        }
        let mut diverged: Vec<i64> = applied
            .iter()
            .filter(|(version, checksum, success)| {
                !success || !expected.iter().any(|(v, c)| v == version && c == checksum)
            })
            .map(|(version, ..)| *version)
            .collect();
        if !diverged.is_empty() {
            diverged.sort_unstable();
            return Self::Diverged { versions: diverged };
        }
        let missing: Vec<i64> = expected
            .iter()
            .filter(|(version, _)| !applied.iter().any(|(v, ..)| v == version))
            .map(|(version, _)| *version)
            .collect();
        if missing.is_empty() {
            Self::Current
        } else {
            Self::Behind { missing }
        }
    }
}

/// A snapshot of one connection pool, for the server's metrics: `size` connections are open,
/// `idle` of them unused, at most `max` may be. The pool does not say how many callers wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Which pool: `main` on PostgreSQL, `writer` or `reader` on SQLite.
    pub name: &'static str,
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolStats {
    pub fn in_use(&self) -> u32 {
        self.size.saturating_sub(self.idle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(version: i64, checksum: u8, success: bool) -> (i64, Vec<u8>, bool) {
        (version, vec![checksum], success)
    }

    #[test]
    fn judged_against_the_build() {
        let build = [m(1, 1, true), m(2, 2, true), m(3, 3, true)];
        for (applied, state) in [
            (
                vec![],
                SchemaState::Behind {
                    missing: vec![1, 2, 3],
                },
            ),
            (
                vec![m(1, 1, true), m(2, 2, true)],
                SchemaState::Behind { missing: vec![3] },
            ),
            (build.to_vec(), SchemaState::Current),
            (
                vec![m(1, 1, true), m(2, 2, true), m(3, 3, true), m(4, 4, true)],
                SchemaState::Newer {
                    database: 4,
                    build: 3,
                },
            ),
            (
                vec![m(1, 1, true), m(2, 2, true), m(5, 5, false)],
                SchemaState::Newer {
                    database: 5,
                    build: 3,
                },
            ),
            (
                vec![m(1, 1, true), m(2, 7, true), m(3, 3, true)],
                SchemaState::Diverged { versions: vec![2] },
            ),
            (
                vec![m(1, 1, true), m(2, 9, true)],
                SchemaState::Diverged { versions: vec![2] },
            ),
            (
                vec![m(1, 1, true), m(2, 2, false)],
                SchemaState::Diverged { versions: vec![2] },
            ),
        ] {
            let expected = build.iter().map(|(v, c, _)| (*v, c.clone()));
            assert_eq!(
                SchemaState::judge(expected, applied.clone()),
                state,
                "{applied:?}"
            );
        }
    }
}
