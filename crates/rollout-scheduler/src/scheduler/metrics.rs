//! The scheduler's Prometheus counters, through the `metrics` facade (a no-op until the process
//! installs a recorder): reminder firings and missed ticks as each evaluation reports them, and
//! delivery attempts by channel and outcome as each is recorded. Labels are bounded: two
//! channels, three outcomes. Not here: the outbox's depth and age, which are read from the
//! database when the metrics are scraped (the server's business).

/// Reminder firings committed by this process's evaluations.
pub const FIRINGS: &str = "rollout_reminder_firings_total";
/// Ticks counted as missed by the misfire policy (the server was down or late past the grace).
pub const MISSED_TICKS: &str = "rollout_reminder_missed_ticks_total";
/// Delivery attempts by `channel` (email, webhook) and `outcome` (delivered, retried, dead).
pub const DELIVERIES: &str = "rollout_deliveries_total";

const CHANNELS: [&str; 2] = ["email", "webhook"];
const OUTCOMES: [&str; 3] = ["delivered", "retried", "dead"];

/// The channel of a delivery as a label value (the domain spells them `EMAIL`, `WEBHOOK`).
fn channel_label(channel: &str) -> &'static str {
    if channel.eq_ignore_ascii_case("email") {
        "email"
    } else {
        "webhook"
    }
}

pub(crate) fn evaluated(firings: usize, missed: i64) {
    metrics::counter!(FIRINGS).increment(u64::try_from(firings).unwrap_or(u64::MAX));
    metrics::counter!(MISSED_TICKS).increment(u64::try_from(missed).unwrap_or(0));
}

/// Counts one attempt's outcome; `outcome` is one of `delivered`, `retried`, `dead`.
pub(crate) fn delivery(channel: &str, outcome: &'static str) {
    metrics::counter!(DELIVERIES, "channel" => channel_label(channel), "outcome" => outcome)
        .increment(1);
}

pub(crate) const DELIVERED: &str = OUTCOMES[0];
pub(crate) const RETRIED: &str = OUTCOMES[1];
pub(crate) const DEAD: &str = OUTCOMES[2];

/// Describes the scheduler's counters and gives each series its zero; call once after
/// installing the process's recorder.
pub fn register() {
    metrics::describe_counter!(FIRINGS, "Reminder firings committed by this process.");
    metrics::describe_counter!(
        MISSED_TICKS,
        "Reminder ticks counted as missed by the misfire policy."
    );
    metrics::describe_counter!(
        DELIVERIES,
        "Outbox delivery attempts, by channel and outcome (delivered, retried, dead)."
    );
    metrics::counter!(FIRINGS).increment(0);
    metrics::counter!(MISSED_TICKS).increment(0);
    for channel in CHANNELS {
        for outcome in OUTCOMES {
            metrics::counter!(DELIVERIES, "channel" => channel, "outcome" => outcome).increment(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_labelled_in_lower_case() {
        assert_eq!(channel_label("EMAIL"), "email");
        assert_eq!(channel_label("WEBHOOK"), "webhook");
    }
}
