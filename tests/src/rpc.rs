//! The node's JSON-RPC client lives in `sibyl-client` (the `ask` command uses it too).

pub use sibyl_client::rpc::*;
