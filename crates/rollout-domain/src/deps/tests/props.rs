//! Property tests (see the module header of [`super`]).
