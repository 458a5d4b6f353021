//! The Japanese business-day calendar (public holidays, 29 December – 3 January closure).
