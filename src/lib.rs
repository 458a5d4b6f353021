//! The thin root package: it exists so that `tests/` belongs to the workspace.
