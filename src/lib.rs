//! kefu: chat logs of e-commerce customer service → the figures supervisors run the team by.
//!
//! Stages in the order the data flows: [`ingest`] (files → typed tables, rejects) → [`sessions`] (sessions and turns) →
//! [`detect`] (text rules; with [`readers`], the session topic) → [`payments`] (催付, unpaid reasons) → [`attribution`] (orders to agents) → [`reception`]
//! (transfers, concurrency, active time) → [`tables`] (derived polars tables) → [`metrics`] (SQL in `queries/`) →
//! [`report`] (files; [`xlsx`] the workbook). [`pipeline`] runs them; [`synth`] makes synthetic input with planted
//! ground truth. Below every stage: [`model`] (the typed tables), [`timefmt`], [`config`], [`pseudonym`], [`mask`],
//! [`error`]; [`order_windows`] (when a message can speak of an order) sits below both [`detect`] and [`payments`]. No
//! module depends on a later one.

pub(crate) mod attribution;
pub mod charts;
pub mod config;
pub mod detect;
pub mod error;
pub mod explain;
pub mod figures;
pub(crate) mod html;
pub mod ingest;
pub mod mask;
pub mod measure;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod order_windows;
pub mod partial;
pub mod payments;
pub mod pipeline;
pub mod progress;
pub mod pseudonym;
pub mod readers;
pub mod reception;
pub mod report;
pub(crate) mod rng;
pub mod roster;
pub mod satisfaction;
pub mod sessions;
pub mod synth;
pub mod tables;
pub mod teams;
pub mod timefmt;
pub mod tokenize;
pub(crate) mod trie;
pub(crate) mod words;
pub(crate) mod xlsx;

pub use config::{Overrides, Settings};
pub use error::{KefuError, Result};
