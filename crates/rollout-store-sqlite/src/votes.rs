//! Votes: `record_vote`, the decisive write, and the votes of a batch of requests.
//!
//! A vote is one `BEGIN IMMEDIATE` transaction on the single writer connection: the
//! compare-and-set on the request's version (closing it when the vote decides), the vote row,
//! the transition when the vote completes the count, and the audit entries. Any refusal on the
//! way (a moved request, a second vote by or for the same person, a moved procedure) drops the
//! transaction, so nothing of the vote survives. One person, one vote is enforced by the
//! schema (the primary key and the unique `counts_for`), so it holds under races as well.

use rollout_domain::approval::{ApprovalVote, Decision};
use rollout_domain::{ApprovalRequestId, UserId};
use rollout_store::{StoreResult, VoteResult, VoteWrite};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::approvals::compare_and_set;
use crate::bureaus::IN_CHUNK;
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_instant, parse_key, parse_uuid, uuid};
use crate::{audit, begin_write, commit, transitions};

const VOTE_COLUMNS: &str = "request_id, approver, on_behalf_of, decision, comment, at";

#[derive(Debug, FromRow)]
struct VoteRow {
    request_id: String,
    approver: String,
    on_behalf_of: Option<String>,
    decision: String,
    comment: Option<String>,
    at: String,
}

impl VoteRow {
    fn into_domain(self) -> StoreResult<ApprovalVote> {
        Ok(ApprovalVote {
            request_id: ApprovalRequestId(parse_uuid(
                "approval_votes.request_id",
                &self.request_id,
            )?),
            approver: UserId(parse_uuid("approval_votes.approver", &self.approver)?),
            on_behalf_of: self
                .on_behalf_of
                .map(|raw| parse_uuid("approval_votes.on_behalf_of", &raw).map(UserId))
                .transpose()?,
            decision: parse_key("approval_votes.decision", &self.decision, Decision::parse)?,
            comment: self.comment,
            at: parse_instant("approval_votes.at", &self.at)?,
        })
    }
}

/// Inserts the vote inside the caller's transaction. Either uniqueness rule (the same approver,
/// or a second vote counting for the same person) is `Duplicate { entity: "vote", key:
/// approver }`; an unknown approver or principal is `NotFound { entity: "user" }`.
async fn insert(conn: &mut SqliteConnection, vote: &ApprovalVote) -> StoreResult<()> {
    let sql = format!("INSERT INTO approval_votes ({VOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)");
    let result = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(uuid(vote.request_id.0))
        .bind(uuid(vote.approver.0))
        .bind(vote.on_behalf_of.map(|u| uuid(u.0)))
        .bind(vote.decision.as_str())
        .bind(vote.comment.as_deref())
        .bind(instant(vote.at))
        .execute(&mut *conn)
        .await;
    let Err(e) = result else {
        return Ok(());
    };
    if let Some(UniqueKey::VoteApprover | UniqueKey::VoteCountsFor) = errors::unique_violation(&e) {
        return Err(errors::duplicate("vote", vote.approver));
    }
    let mut people = vec![Ref::user(vote.approver.0)];
    people.extend(vote.on_behalf_of.map(|u| Ref::user(u.0)));
    Err(refs::missing(conn, e, "insert vote", &people).await)
}

pub(crate) async fn record(writer: &SqlitePool, write: &VoteWrite) -> StoreResult<VoteResult> {
    let vote = &write.vote;
    let closing = write
        .close
        .as_ref()
        .map(|(status, reason)| (*status, reason.as_deref(), vote.at));
    let mut tx = begin_write(writer).await?;
    let request = compare_and_set(
        &mut tx,
        vote.request_id,
        write.expected_request_version,
        closing,
    )
    .await?;
    insert(&mut tx, vote).await?;
    let procedure = match &write.apply {
        Some(apply) => Some(transitions::apply_in(&mut tx, apply).await?),
        None => None,
    };
    audit::insert_all(&mut tx, &write.audit).await?;
    commit(tx).await?;
    Ok(VoteResult { request, procedure })
}

pub(crate) async fn for_requests(
    reader: &SqlitePool,
    requests: &[ApprovalRequestId],
) -> StoreResult<Vec<ApprovalVote>> {
    let mut out = Vec::new();
    for chunk in requests.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {VOTE_COLUMNS} FROM approval_votes WHERE request_id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
        let rows: Vec<VoteRow> = qb
            .build_query_as()
            .fetch_all(reader)
            .await
            .map_err(ctx("load votes"))?;
        out.extend(decode_all(rows, VoteRow::into_domain)?);
    }
    // Chunks each come back in any order, so the one order is made here: oldest first, then by
    // request and approver so that equal times still come out the same way every time.
    out.sort_by_key(|v| (v.at, v.request_id, v.approver));
    Ok(out)
}
