//! kefu: chat logs of e-commerce customer service → the figures supervisors run the team by.
//!
//! Stages in the order the data flows: [`ingest`] (files → typed tables, rejects) → [`sessions`] (sessions and
//! turns) → [`detect`] (text rules) → [`payments`] (催付, unpaid reasons) → [`attribution`] (orders to agents) → [`tables`] (derived polars tables) → [`metrics`] (SQL in `queries/`) → [`report`] (files).
//! [`pipeline`] runs them; [`synth`] makes synthetic input with planted ground truth.

pub mod attribution;
pub mod charts;
pub mod config;
pub mod detect;
pub mod error;
pub mod html;
pub mod ingest;
pub mod mask;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod payments;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod rng;
pub mod sessions;
pub mod synth;
pub mod tables;
pub mod timefmt;
pub mod tokenize;

pub use config::{Overrides, Settings};
pub use error::{KefuError, Result};
