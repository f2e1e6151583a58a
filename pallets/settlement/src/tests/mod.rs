//! The pallet's tests, by concern: messages to Ethereum, votes on Ethereum's events, Ethereum requests through
//! the real oracle, units coming back, and the properties that hold on every path.

mod attest;
mod outbound;
mod properties;
mod requests;
mod tokens;
