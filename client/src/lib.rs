//! # A client of `sibyl-node`
//!
//! - [`rpc`]: a small blocking JSON-RPC client with typed helpers (storage, events, runtime API calls,
//!   submission);
//! - [`ask`]: asks the inference oracle a question end to end (tokenize on the node, quote, submit, follow the
//!   request until its result is final, detokenize), reporting each step. `sibyl-node ask` is a thin command
//!   line over it; the end-to-end tests use it too.

pub mod ask;
pub mod rpc;

pub use rpc::Rpc;
