//! Generated procedures, shaped like the programme's ~28,000: a few bureaus own most of them,
//! almost all are ordinary Tokyo procedures, application volumes are heavy-tailed (about one in
//! twenty is a 10,000+ "priority" procedure, one in ten has no known volume), and about 88% are
//! online, with the rest in progress, waiting for national law (3%) or abolished (1%).

use rand::Rng;
use rand::rngs::SmallRng;
use rollout_domain::{Authority, Bureau, Category, Platform};

use super::generator::{Draft, Generator, Outcome};
use super::names;

/// Relative sizes of bureaus by number of procedures; bureaus not listed weigh [`DEFAULT_WEIGHT`].
const BUREAU_WEIGHTS: &[(&str, u32)] = &[
    ("FUKUSHI", 60),
    ("HOKEN", 55),
    ("SANGYO", 45),
    ("KYOIKU", 40),
    ("KEISHI", 40),
    ("TOSHI", 35),
    ("KANKYO", 35),
    ("KENSETSU", 30),
    ("SEIKATSU", 25),
    ("JUTAKU", 20),
    ("SHUZEI", 20),
    ("SHOBO", 20),
    ("SOUMU", 10),
    ("SUIDO", 10),
    ("GESUIDO", 8),
    ("KOTSU", 8),
    ("KOWAN", 8),
    ("KODOMO", 6),
    ("SHIJO", 6),
    ("ZAIMU", 6),
];
const DEFAULT_WEIGHT: u32 = 3;

/// Log-normal volume: the median is about e^5 ≈ 150 applications a year, and with this spread
/// about 5.5% of known volumes reach 10,000.
const VOLUME_MU: f64 = 5.0;
const VOLUME_SIGMA: f64 = 2.6;
const VOLUME_MAX: f64 = 2_000_000.0;

/// Running totals of bureau weights, for a binary search over one uniform draw.
pub(super) fn cumulative_weights(bureaus: &[Bureau]) -> Vec<u32> {
    bureaus
        .iter()
        .scan(0, |total, b| {
            let w = BUREAU_WEIGHTS
                .iter()
                .find(|(code, _)| *code == b.code.as_str())
                .map_or(DEFAULT_WEIGHT, |(_, w)| *w);
            *total += w;
            Some(*total)
        })
        .collect()
}

fn pick_bureau(rng: &mut SmallRng, cumulative: &[u32]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0);
    let x = rng.random_range(0..total.max(1));
    cumulative.partition_point(|&c| c <= x)
}

/// A standard normal draw (Box–Muller); rand_distr would be a dependency for two lines.
fn standard_normal(rng: &mut SmallRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn annual_applications(rng: &mut SmallRng) -> Option<i64> {
    if rng.random_bool(0.1) {
        return None;
    }
    let n = (VOLUME_MU + VOLUME_SIGMA * standard_normal(rng))
        .exp()
        .round()
        .clamp(1.0, VOLUME_MAX);
    Some(n as i64)
}

fn outcome(rng: &mut SmallRng) -> Outcome {
    match rng.random_range(0..1000) {
        0..880 => Outcome::Done,
        880..960 => Outcome::InProgress,
        960..990 => Outcome::Blocked,
        _ => Outcome::Closed,
    }
}

fn platform(rng: &mut SmallRng, category: Category, authority: Authority) -> Platform {
    let roll = rng.random_range(0..100);
    match (category, authority) {
        (Category::Subsidy, _) => Platform::Jgrants,
        (_, Authority::National) => match roll {
            0..60 => Platform::OtherNationalSystem,
            60..85 => Platform::MynaPortal,
            _ => Platform::JointEApplication,
        },
        (_, Authority::Tokyo) => match roll {
            0..45 => Platform::SaasEApplication,
            45..80 => Platform::JointEApplication,
            80..90 => Platform::MynaPortal,
            _ => Platform::DedicatedSystem,
        },
    }
}

/// One generated procedure's description.
pub(super) fn draft(generator: &mut Generator<'_>) -> Draft {
    let bureau = pick_bureau(&mut generator.rng, &generator.bureau_weights);
    let rng = &mut generator.rng;
    let outcome = outcome(rng);
    let category = if rng.random_bool(0.04) {
        Category::Subsidy
    } else {
        Category::Standard
    };
    // Waiting for a law change only happens to procedures with a national legal basis.
    let authority = if outcome == Outcome::Blocked || rng.random_bool(0.12) {
        Authority::National
    } else {
        Authority::Tokyo
    };
    let (name, name_en) = names::procedure_name(rng, category);
    Draft {
        bureau,
        name,
        name_en: Some(name_en),
        category,
        authority,
        annual_applications: annual_applications(rng),
        process_count: if rng.random_bool(0.85) {
            1
        } else {
            rng.random_range(2..=8)
        },
        platform: platform(rng, category, authority),
        outcome,
        released_after: None,
    }
}
