//! From a firing's items to one digest per recipient: who receives which item (the rule's
//! recipients, each person once), never the same item twice in one digest, minus what the person
//! snoozed and what this rule told them within its quiet period.

use std::collections::{BTreeMap, HashSet};

use super::item::ReminderItem;
use super::rule::Recipients;
use crate::identity::Role;
use crate::{BureauId, UserId};

/// The language a person reads reminders in (a user setting; Japanese by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Ja,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ja" => Some(Self::Ja),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// A possible recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub bureau: Option<BureauId>,
    pub disabled: bool,
    pub language: Language,
}

/// One recipient's share of a firing: indices into the firing's items, in item order, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub user: UserId,
    pub items: Vec<usize>,
}

/// Whether a person is not to hear of an item in this firing (snoozed, or within the quiet
/// period), keyed by (person, item key).
#[derive(Debug, Clone, Default)]
pub struct Suppressed {
    pub keys: HashSet<(UserId, String)>,
}

impl Suppressed {
    pub fn contains(&self, user: UserId, key: &str) -> bool {
        // Avoid allocating for the common empty case.
        !self.keys.is_empty() && self.keys.contains(&(user, key.to_owned()))
    }
}

/// The digests of a firing: for each active person the rule's recipients name, the items they
/// hear of. Disabled people and unknown named users receive nothing; a person with no item left
/// gets no digest. Ordered by user id, so the result is stable.
pub fn digests(
    recipients: &Recipients,
    items: &[ReminderItem],
    people: &[Person],
    suppressed: &Suppressed,
) -> Vec<Digest> {
    let active: Vec<&Person> = people.iter().filter(|p| !p.disabled).collect();
    let office: Vec<UserId> = active
        .iter()
        .filter(|p| p.role == Role::ProjectOffice)
        .map(|p| p.id)
        .collect();
    let mut coordinators: BTreeMap<BureauId, Vec<UserId>> = BTreeMap::new();
    for p in &active {
        if let (Role::BureauCoordinator, Some(b)) = (p.role, p.bureau) {
            coordinators.entry(b).or_default().push(p.id);
        }
    }
    let known: HashSet<UserId> = active.iter().map(|p| p.id).collect();
    let named: Vec<UserId> = recipients
        .users
        .iter()
        .copied()
        .filter(|u| known.contains(u))
        .collect();

    let mut out: BTreeMap<UserId, Vec<usize>> = BTreeMap::new();
    let mut add = |user: UserId, index: usize, key: &str| {
        if suppressed.contains(user, key) {
            return;
        }
        let list = out.entry(user).or_default();
        // Items are visited in order, so a repeat for this person is always the last entry.
        if list.last() != Some(&index) {
            list.push(index);
        }
    };
    for (index, item) in items.iter().enumerate() {
        let key = item.key();
        if recipients.assignee
            && let Some(a) = item.assignee.filter(|a| known.contains(a))
        {
            add(a, index, &key);
        }
        if recipients.bureau_coordinators
            && let Some(list) = item.bureau.and_then(|b| coordinators.get(&b))
        {
            for &u in list {
                add(u, index, &key);
            }
        }
        if recipients.project_office {
            for &u in &office {
                add(u, index, &key);
            }
        }
        for &u in &named {
            add(u, index, &key);
        }
    }
    out.into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(user, items)| Digest { user, items })
        .collect()
}

#[cfg(test)]
#[path = "digest_tests.rs"]
mod tests;
