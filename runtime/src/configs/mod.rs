//! One `Config` implementation per pallet, each in its own file.

mod aigc;
mod aura;
mod balances;
mod beefy;
mod grandpa;
mod dispute;
mod inference;
mod nfts;
mod revshare;
mod settlement;
mod sudo;
mod system;
mod timestamp;
mod transaction_payment;
mod validators;

pub use inference::ProtocolAccount;
pub use validators::DEFAULT_SESSION_LENGTH;
pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
