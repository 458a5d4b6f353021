//! When a rule's ticks are due: holiday policy and misfire policy.
