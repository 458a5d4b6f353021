//! Residents' user reviews of a procedure (利用者評価), as the review form of the e-application
//! sites collects them after an application: a rating from 1 to 5, an optional comment and the
//! channel the applicant used. Reviews are only appended; the quality map and the office read
//! them as aggregates (count, mean, distribution), per procedure and per fiscal quarter of the
//! day they were submitted in Tokyo.

use chrono::{DateTime, Utc};

use crate::analytics::facts::tokyo_date;
use crate::procedure::keyed_enum;
use crate::{FiscalQuarter, FiscalQuarterError, ProcedureId, UserId, UserReviewId};

keyed_enum!(
    /// Where the applicant was when they applied and reviewed.
    ReviewChannel {
        /// A web browser on a computer.
        Pc => "PC",
        Smartphone => "SMARTPHONE",
        /// A terminal at a ward office or service counter.
        Counter => "COUNTER",
        Other => "OTHER",
    }
);

/// A rating from 1 (very dissatisfied) to 5 (very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rating(u8);

impl Rating {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    /// The rating `value`, or why it is not one.
    pub fn new(value: i64) -> Result<Self, String> {
        u8::try_from(value)
            .ok()
            .filter(|v| (Self::MIN..=Self::MAX).contains(v))
            .map(Self)
            .ok_or_else(|| {
                format!(
                    "a rating is a whole number from {} to {} (got {value})",
                    Self::MIN,
                    Self::MAX
                )
            })
    }

    pub const fn get(self) -> u8 {
        self.0
    }
}

/// One review as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserReview {
    pub id: UserReviewId,
    pub procedure_id: ProcedureId,
    pub rating: Rating,
    /// Free text from the public (a comment-length text), if they wrote any.
    pub comment: Option<String>,
    pub channel: ReviewChannel,
    pub submitted_at: DateTime<Utc>,
    /// The review intake identity that submitted it (not the resident, who is anonymous).
    pub submitted_by: UserId,
}

impl UserReview {
    /// The fiscal quarter of the day the review was submitted, in Tokyo: the bucket its
    /// aggregates count it in (stores keep it beside the row so that they can group by it).
    pub fn quarter(&self) -> Result<FiscalQuarter, FiscalQuarterError> {
        FiscalQuarter::try_containing(tokyo_date(self.submitted_at))
    }
}

/// How many reviews gave each rating, and what follows: count, mean, distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewAggregate {
    /// `counts[r - 1]` reviews rated `r`.
    counts: [u64; 5],
}

impl ReviewAggregate {
    /// The aggregate of `(rating, how many)` pairs, as stores count them; a rating may appear
    /// several times (one pair per quarter, say) and is summed.
    pub fn from_counts(pairs: impl IntoIterator<Item = (Rating, u64)>) -> Self {
        let mut out = Self::default();
        for (rating, n) in pairs {
            out.add(rating, n);
        }
        out
    }

    pub fn add(&mut self, rating: Rating, n: u64) {
        let slot = &mut self.counts[usize::from(rating.get() - 1)];
        *slot = slot.saturating_add(n);
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The sum of all ratings given.
    pub fn sum(&self) -> u64 {
        self.counts
            .iter()
            .zip(1u64..)
            .map(|(n, r)| n.saturating_mul(r))
            .sum()
    }

    /// The mean rating; `None` without reviews.
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    pub fn mean(&self) -> Option<f64> {
        let count = self.count();
        (count > 0).then(|| self.sum() as f64 / count as f64)
    }

    /// How many reviews gave 1, 2, 3, 4 and 5.
    pub fn distribution(&self) -> [u64; 5] {
        self.counts
    }

    /// Whether the mean is at least `hundredths` / 100, compared exactly in integers (4.2 is
    /// not exactly a binary fraction, so a float comparison could miss a mean of exactly 4.2).
    pub fn mean_at_least(&self, hundredths: u32) -> bool {
        let count = u128::from(self.count());
        count > 0 && u128::from(self.sum()) * 100 >= u128::from(hundredths) * count
    }
}

/// Why a review cannot be stored, as `(field, message)`: only the rating can be wrong in the
/// domain's terms (the comment passes the app's text rule).
pub fn check_review(rating: i64) -> Vec<(&'static str, String)> {
    match Rating::new(rating) {
        Ok(_) => Vec::new(),
        Err(message) => vec![("rating", message)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: i64) -> Rating {
        Rating::new(v).unwrap()
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(r(1).get(), 1);
        assert_eq!(r(5).get(), 5);
        for bad in [0, 6, -1, 256, i64::MAX] {
            assert!(Rating::new(bad).is_err(), "{bad}");
            assert_eq!(check_review(bad)[0].0, "rating");
        }
        assert!(check_review(3).is_empty());
    }

    #[test]
    fn aggregates_count_sum_and_compare_exactly() {
        let empty = ReviewAggregate::default();
        assert_eq!((empty.count(), empty.mean()), (0, None));
        assert!(!empty.mean_at_least(0));
        // 4.2 exactly: 1×5 + 4×4 ... = 21 / 5.
        let a = ReviewAggregate::from_counts([(r(5), 1), (r(4), 4)]);
        assert_eq!((a.count(), a.sum()), (5, 21));
        assert_eq!(a.distribution(), [0, 0, 0, 4, 1]);
        assert!(a.mean_at_least(420));
        assert!(!a.mean_at_least(421));
        let merged = ReviewAggregate::from_counts([(r(1), 2), (r(1), 3), (r(3), 5)]);
        assert_eq!(merged.distribution(), [5, 0, 5, 0, 0]);
        assert_eq!(merged.mean(), Some(2.0));
    }

    #[test]
    fn the_quarter_is_the_tokyo_days() {
        let review = |at: &str| UserReview {
            id: UserReviewId(uuid::Uuid::nil()),
            procedure_id: ProcedureId(uuid::Uuid::nil()),
            rating: r(4),
            comment: None,
            channel: ReviewChannel::Smartphone,
            submitted_at: DateTime::parse_from_rfc3339(at).unwrap().to_utc(),
            submitted_by: UserId(uuid::Uuid::nil()),
        };
        // 2021-12-31T15:00Z is already 1 January in Tokyo: FY2021-Q4.
        assert_eq!(
            review("2021-12-31T14:59:59Z")
                .quarter()
                .unwrap()
                .to_string(),
            "FY2021-Q3"
        );
        assert_eq!(
            review("2021-12-31T15:00:00Z")
                .quarter()
                .unwrap()
                .to_string(),
            "FY2021-Q4"
        );
    }
}
