//! `sibyl-node`: the Sibyl validator and full node.

#![warn(missing_docs)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod ask_cmd;
mod chain_spec;
mod cli;
mod command;
mod engine_cmd;
mod inference;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
