//! The composition root of entremise: configuration, the choice of
//! backends (the only place that names one), the demo network.

pub mod config;
pub mod demo;
pub mod server;
