-- What a procedure search matches: code, name and English name folded for search (NFKC, lower
-- case), computed in Rust by rollout_domain::procedure::search_text whenever a procedure is
-- written. Rows that exist before this migration keep NULL until the store fills them, right
-- after migrating (PgStore::migrate), with the same Rust function as SQLite (PostgreSQL's own
-- normalize() and lower() could disagree with it on some characters).
ALTER TABLE procedures ADD COLUMN search_text text;
