//! Bureaus (局): the organisational units that own procedures. Bureau codes are a short
//! romanisation chosen for rollout, not an official TMG code.

use crate::{BureauCode, BureauId};

/// A bureau as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bureau {
    pub id: BureauId,
    pub code: BureauCode,
    pub name_ja: String,
    pub name_en: String,
}

/// What it takes to create a bureau.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBureau {
    pub code: BureauCode,
    pub name_ja: String,
    pub name_en: String,
}
