//! The contact graph engine (being built).
