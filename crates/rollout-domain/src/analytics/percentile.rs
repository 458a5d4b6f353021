//! Percentiles by the nearest-rank method: the p-th percentile of n sorted values is the value
//! at rank ⌈p/100 × n⌉ (1-based). It is always one of the observed values (no interpolation), so
//! "p85 time in state = 41 days" names a procedure that really took 41 days, and it is exact for
//! integers.

/// The `p`-th percentile (0 < p ≤ 100) of `sorted` (ascending); `None` for no values.
pub fn nearest_rank<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted.get(rank.clamp(1, n) - 1).copied()
}

/// p50, p85 and p95 of `values` (sorted here).
pub fn p50_p85_p95<T: Copy + Ord>(values: &mut [T]) -> Option<[T; 3]> {
    values.sort_unstable();
    Some([
        nearest_rank(values, 50.0)?,
        nearest_rank(values, 85.0)?,
        nearest_rank(values, 95.0)?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_matches_the_textbook_examples() {
        // Wikipedia's "nearest-rank method" examples.
        let v = [15, 20, 35, 40, 50];
        assert_eq!(nearest_rank(&v, 5.0), Some(15));
        assert_eq!(nearest_rank(&v, 30.0), Some(20));
        assert_eq!(nearest_rank(&v, 40.0), Some(20));
        assert_eq!(nearest_rank(&v, 50.0), Some(35));
        assert_eq!(nearest_rank(&v, 100.0), Some(50));
        let w = [3, 6, 7, 8, 8, 10, 13, 15, 16, 20];
        assert_eq!(nearest_rank(&w, 25.0), Some(7));
        assert_eq!(nearest_rank(&w, 50.0), Some(8));
        assert_eq!(nearest_rank(&w, 75.0), Some(15));
        assert_eq!(nearest_rank(&w, 100.0), Some(20));
    }

    #[test]
    fn no_values_or_a_bad_rank_give_nothing() {
        assert_eq!(nearest_rank::<i32>(&[], 50.0), None);
        assert_eq!(nearest_rank(&[1], 0.0), None);
        assert_eq!(nearest_rank(&[1], 101.0), None);
        assert_eq!(nearest_rank(&[7], 1.0), Some(7));
        let mut v = vec![9, 1, 5, 3, 7, 2, 8, 4, 6, 10];
        assert_eq!(p50_p85_p95(&mut v), Some([5, 9, 10]));
    }
}
