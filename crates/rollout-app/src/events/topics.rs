//! Events with a topic. A [`ProcedureEvent`] is the `procedures` topic (its wire form has no
//! `topic` field, so payloads of earlier builds stay valid); a [`ReminderSignal`] is the
//! `reminders` topic: a firing committed (one signal per firing, whatever its number of
//! recipients: each subscriber loads its own notification of that firing) or rules changed (the
//! schedulers of every replica re-read them). Both travel through the same relay.

use rollout_domain::{FiringId, ReminderRuleId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ProcedureEvent;
use super::wire::{WIRE_VERSION, WireError};

/// Something the reminder machinery tells every replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderSignal {
    /// A firing committed: its notifications and deliveries exist.
    Fired {
        firing: FiringId,
        rule: ReminderRuleId,
    },
    /// Rules were created or changed, or a delivery was put back: wake up and re-read.
    Wake,
}

/// Any event, by topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppEvent {
    Procedure(ProcedureEvent),
    Reminder(ReminderSignal),
}

impl From<ProcedureEvent> for AppEvent {
    fn from(e: ProcedureEvent) -> Self {
        Self::Procedure(e)
    }
}

impl From<ReminderSignal> for AppEvent {
    fn from(s: ReminderSignal) -> Self {
        Self::Reminder(s)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct SignalWire {
    v: u32,
    topic: String,
    signal: String,
    firing: Option<String>,
    rule: Option<String>,
}

#[derive(Deserialize)]
struct TopicOnly {
    topic: Option<String>,
}

fn id(field: &'static str, value: Option<String>) -> Result<Uuid, WireError> {
    let value = value.unwrap_or_default();
    Uuid::parse_str(&value).map_err(|_| WireError::Id { field, value })
}

impl AppEvent {
    /// The event's wire form: a procedure event as [`ProcedureEvent::to_wire`], a signal as
    /// `{"v":1,"topic":"reminders","signal":"fired","firing":"…","rule":"…"}`.
    pub fn to_wire(&self) -> String {
        match self {
            Self::Procedure(e) => e.to_wire(),
            Self::Reminder(s) => {
                let (signal, firing, rule) = match s {
                    ReminderSignal::Fired { firing, rule } => (
                        "fired",
                        Some(firing.0.to_string()),
                        Some(rule.0.to_string()),
                    ),
                    ReminderSignal::Wake => ("wake", None, None),
                };
                let wire = SignalWire {
                    v: WIRE_VERSION,
                    topic: "reminders".into(),
                    signal: signal.into(),
                    firing,
                    rule,
                };
                serde_json::to_string(&wire).expect("strings always serialise")
            }
        }
    }

    /// Reads either topic; a payload without `topic` is a procedure event.
    pub fn from_wire(payload: &str) -> Result<Self, WireError> {
        let topic: TopicOnly = serde_json::from_str(payload)?;
        match topic.topic.as_deref() {
            None | Some("procedures") => ProcedureEvent::from_wire(payload).map(Self::Procedure),
            Some("reminders") => {
                let wire: SignalWire = serde_json::from_str(payload)?;
                if wire.v != WIRE_VERSION {
                    return Err(WireError::Version(wire.v));
                }
                match wire.signal.as_str() {
                    "fired" => Ok(Self::Reminder(ReminderSignal::Fired {
                        firing: FiringId(id("firing", wire.firing)?),
                        rule: ReminderRuleId(id("rule", wire.rule)?),
                    })),
                    "wake" => Ok(Self::Reminder(ReminderSignal::Wake)),
                    other => Err(WireError::Kind(other.to_owned())),
                }
            }
            Some(other) => Err(WireError::Kind(format!("topic {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_read_back_equal_and_procedure_payloads_without_a_topic_still_read() {
        let fired = AppEvent::Reminder(ReminderSignal::Fired {
            firing: FiringId(Uuid::from_u128(7)),
            rule: ReminderRuleId(Uuid::from_u128(8)),
        });
        assert_eq!(AppEvent::from_wire(&fired.to_wire()).unwrap(), fired);
        let wake = AppEvent::Reminder(ReminderSignal::Wake);
        assert_eq!(AppEvent::from_wire(&wake.to_wire()).unwrap(), wake);
        let procedure = super::super::tests::updated(2);
        let payload = procedure.to_wire();
        assert!(!payload.contains("topic"));
        assert_eq!(
            AppEvent::from_wire(&payload).unwrap(),
            AppEvent::Procedure(procedure)
        );
        assert!(AppEvent::from_wire(r#"{"v":1,"topic":"weather"}"#).is_err());
    }
}
