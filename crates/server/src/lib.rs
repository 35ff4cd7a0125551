//! The pelab server: the HTTP and WebSocket API over `pelab-store`, the job queue and
//! its workers, the MQTT side, and the demo content of a first start.
//!
//! # Overview
//!
//! - [`serve::start`] opens the database and waveform directory, creates the default
//!   organisation on a first start (and seeds the demo projects), starts the
//!   in-process workers and serves the API of [`app::build`].
//! - [`worker`] executes simulation jobs: claim, simulate with a live tap, store the
//!   waveforms, write the result once.
//! - [`redis_queue`] and [`redis_worker`] carry jobs over Redis Streams to
//!   `pelab worker` processes ([`worker_process`]).
//! - [`stream`] turns samples into numbered min/max chunks for WebSocket clients.
//! - [`auth`] signs members in (e-mail links, Google), keeps sessions and API tokens,
//!   and checks every route's role and the caller's organisation.
//! - [`app::openapi_json`] is the OpenAPI 3.1 document committed as
//!   `spec/openapi.json`.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod live_relay;
pub mod mqtt;
pub mod problem_docs;
pub mod redis_queue;
pub mod redis_worker;
pub mod report;
pub mod routes;
pub mod schema;
pub mod seed;
pub mod serve;
pub mod state;
pub mod stream;
pub mod web;
pub mod worker;
pub mod worker_process;

pub use config::Config;
pub use serve::{Running, start};
