//! Unit and property tests of the dependency graph.
