//! Merging sorted streams of instants into one sorted stream without duplicates.
//!
//! Shared by [`super::schedule`] (the two halves of a day-of-month OR day-of-week schedule) and
//! [`super::timing`] (the days whose ticks move onto the same business day). A linear scan of
//! the heads rather than a heap: there are at most a dozen streams.

use std::iter::Peekable;

use chrono::{DateTime, Utc};

/// A stream of instants, sorted in the merge's direction.
pub(super) type Stream<'a> = Box<dyn Iterator<Item = DateTime<Utc>> + 'a>;

/// The union of sorted streams, in the same order, each instant once. Every step advances each
/// stream at most once, so the work per item is proportional to the number of streams.
pub(super) struct Merged<'a> {
    streams: Vec<Peekable<Stream<'a>>>,
    descending: bool,
}

impl std::fmt::Debug for Merged<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merged")
            .field("streams", &self.streams.len())
            .field("descending", &self.descending)
            .finish()
    }
}

impl<'a> Merged<'a> {
    /// Streams each ascending (or each descending when `descending`).
    pub(super) fn new(streams: Vec<Stream<'a>>, descending: bool) -> Self {
        Merged {
            streams: streams.into_iter().map(Iterator::peekable).collect(),
            descending,
        }
    }
}

impl Iterator for Merged<'_> {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<DateTime<Utc>> {
        let descending = self.descending;
        let best = self
            .streams
            .iter_mut()
            .filter_map(|s| s.peek().copied())
            .reduce(|a, b| if (b < a) != descending { b } else { a })?;
        for stream in &mut self.streams {
            if stream.peek() == Some(&best) {
                stream.next();
            }
        }
        Some(best)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).unwrap()
    }

    fn stream(v: &[i64]) -> Stream<'static> {
        Box::new(v.iter().map(|&s| at(s)).collect::<Vec<_>>().into_iter())
    }

    #[test]
    fn merges_in_order_and_drops_duplicates() {
        let up = Merged::new(
            vec![stream(&[1, 3, 5]), stream(&[2, 3, 6]), stream(&[])],
            false,
        );
        assert_eq!(up.collect::<Vec<_>>(), [1, 2, 3, 5, 6].map(at));
        let down = Merged::new(vec![stream(&[5, 3, 1]), stream(&[6, 3, 2])], true);
        assert_eq!(down.collect::<Vec<_>>(), [6, 5, 3, 2, 1].map(at));
    }
}
