-- The quality map of priority procedures and residents' user reviews (issue 13). Mirrors
-- migrations/sqlite/0009_quality.sql: same tables, columns, constraint and index names.
--
-- quality_assessments: what an assessor recorded about a procedure, appended (the store has no
-- update or delete path), so the latest row per procedure is its current state and the others
-- its history. user_reviews: one row per review the e-application sites' review form
-- submitted; `quarter` is the fiscal quarter of the day it was submitted in Tokyo, computed by
-- the app (like procedures.search_text) so that aggregates per quarter are a plain GROUP BY,
-- `COLLATE "C"` like every stored quarter. The domain's rules (attachment and day limits) are
-- checked by the app before a write; the checks here keep enum columns to their keys, and keep
-- a rating within 1–5 and a comment within the comment limit whatever writes the row.
--
-- The review form signs in as a user of the new role REVIEW_INTAKE, which users_role_check
-- must accept. The application role of deploy/postgres/roles.sql gets its grants on the new
-- tables through default privileges.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('ADMIN', 'PROJECT_OFFICE', 'BUREAU_COORDINATOR', 'VIEWER', 'REVIEW_INTAKE'));

CREATE TABLE quality_assessments (
    id                uuid NOT NULL,
    procedure_id      uuid NOT NULL,
    online_end_to_end boolean NOT NULL,
    smartphone_ready  boolean NOT NULL,
    attachments       integer NOT NULL,
    identity_check    text NOT NULL,
    fee               text NOT NULL,
    standard_days     integer,
    actual_days       integer,
    note              text,
    assessed_at       timestamptz NOT NULL,
    assessed_by       uuid NOT NULL,
    CONSTRAINT quality_assessments_pkey PRIMARY KEY (id),
    CONSTRAINT quality_assessments_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT quality_assessments_assessed_by_fkey
        FOREIGN KEY (assessed_by) REFERENCES users (id),
    CONSTRAINT quality_assessments_identity_check_check
        CHECK (identity_check IN ('NONE', 'ID_UPLOAD', 'MY_NUMBER_CARD')),
    CONSTRAINT quality_assessments_fee_check CHECK (fee IN ('NO_FEE', 'CASHLESS', 'CASH_ONLY'))
);

-- A procedure's assessments newest first, and the latest of each of a page of procedures.
CREATE INDEX quality_assessments_procedure_id_assessed_at_idx
    ON quality_assessments (procedure_id, assessed_at, id);

CREATE TABLE user_reviews (
    id           uuid NOT NULL,
    procedure_id uuid NOT NULL,
    rating       smallint NOT NULL,
    comment      text,
    channel      text NOT NULL,
    submitted_at timestamptz NOT NULL,
    quarter      text COLLATE "C" NOT NULL,
    submitted_by uuid NOT NULL,
    CONSTRAINT user_reviews_pkey PRIMARY KEY (id),
    CONSTRAINT user_reviews_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT user_reviews_submitted_by_fkey FOREIGN KEY (submitted_by) REFERENCES users (id),
    CONSTRAINT user_reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
    CONSTRAINT user_reviews_comment_check CHECK (char_length(comment) <= 4000),
    CONSTRAINT user_reviews_channel_check
        CHECK (channel IN ('PC', 'SMARTPHONE', 'COUNTER', 'OTHER'))
);

-- Aggregates per procedure and quarter (counts by rating) read this index alone.
CREATE INDEX user_reviews_procedure_id_quarter_rating_idx
    ON user_reviews (procedure_id, quarter, rating);
