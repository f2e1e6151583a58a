//! The native token as wallets show it. Plain constants, shared with the build script and the node's chain
//! specification properties, so the three can not disagree.

/// Ticker symbol of the native token.
pub const SYMBOL: &str = "SBL";
/// Number of decimals of the native token: one `SBL` is `10^DECIMALS` planck.
pub const DECIMALS: u8 = 12;
/// SS58 address prefix of Sibyl accounts (a two-byte prefix not registered by another network).
pub const SS58_PREFIX: u16 = 7341;
