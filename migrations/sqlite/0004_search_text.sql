-- What a procedure search matches: code, name and English name folded for search (NFKC, lower
-- case), computed in Rust by rollout_domain::procedure::search_text whenever a procedure is
-- written. SQLite cannot compute NFKC, so rows that exist before this migration keep NULL until
-- the store fills them, right after migrating (SqliteStore::migrate).
ALTER TABLE procedures ADD COLUMN search_text TEXT;
