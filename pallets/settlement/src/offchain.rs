//! The validators' off-chain worker: reads the gateway's events from the Ethereum endpoint given to the node and
//! attests them.
//!
//! The node writes the endpoint (`sibyl-node --eth-rpc URL`) into its persistent off-chain storage under
//! [`ETH_RPC_KEY`]; a node without it attests nothing. Each run, one worker at a time:
//! 1. checks that the endpoint serves the configured chain id, and reads its head;
//! 2. asks for the gateway's `InferenceRequested` and `TokensToSibyl` logs from its cursor up to the block
//!    [`EthConfig::confirmations`] below the head (at most [`MAX_RANGE`] blocks);
//! 3. for each event not executed on Sibyl yet, not final and within the vote window, sends [`Call::attest`]
//!    from each of this node's operator keys that is a current validator's (its session keys name it) and whose
//!    validator has not voted (again after
//!    [`RESEND_AFTER`] blocks if the vote did not land);
//! 4. moves its cursor to the first block that still has an event not executed (so an event is read again until
//!    Sibyl executes it), or past the range.
//!
//! Nothing read here is committed unless more than two thirds of the validators sent the same: a node's own
//! endpoint is trusted only for its own votes.

use alloc::{format, string::String, vec::Vec};
use alloy_primitives::U256;
use alloy_sol_types::{sol_data, SolType};
use codec::Encode;
use frame_support::{traits::Get, BoundedVec};
use frame_system::{
	offchain::{AppCrypto, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use serde_json::Value;
use sp_core::H160;
use sp_runtime::{
	offchain::{
		http,
		storage::StorageValueRef,
		storage_lock::{StorageLock, Time},
		Duration, StorageKind,
	},
	traits::{IdentifyAccount, Saturating},
	RuntimeAppPublic,
};

use crate::{
	inbound::{self, EthConfig, EthEvent},
	Call, Config, EthEventOf, EthSettings, Executed, Ready, Voted,
};

/// Where the node keeps the Ethereum endpoint (UTF-8, unencoded), in persistent off-chain storage.
pub const ETH_RPC_KEY: &[u8] = b"sibyl/eth-rpc";

/// Most Ethereum blocks one `eth_getLogs` covers.
pub const MAX_RANGE: u64 = 500;

/// Most votes one run sends.
pub const MAX_VOTES_PER_RUN: usize = 8;

/// Blocks after which a vote that is still not on chain is sent again.
pub const RESEND_AFTER: u32 = 5;

/// How long one JSON-RPC call may take.
pub const TIMEOUT_MS: u64 = 3_000;

/// The signature of `InferenceRequested`, whose keccak-256 is its logs' first topic.
pub const REQUEST_EVENT: &str =
	"InferenceRequested(uint64,address,uint32,uint32[],uint32,address,uint64,uint256)";
/// The signature of `TokensToSibyl`.
pub const TOKENS_EVENT: &str = "TokensToSibyl(uint64,uint32,address,bytes32,uint256)";

/// The first topic of an event's logs.
pub fn topic0(signature: &str) -> [u8; 32] {
	sp_io::hashing::keccak_256(signature.as_bytes())
}

/// A log as `eth_getLogs` returns it, the parts read here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
	/// The contract that emitted it.
	pub address: H160,
	/// Its topics.
	pub topics: Vec<[u8; 32]>,
	/// Its non-indexed data.
	pub data: Vec<u8>,
	/// The block it is in.
	pub block: u64,
	/// Whether a reorganisation removed it.
	pub removed: bool,
}

/// Why a log is not an event of ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
	/// Not from the gateway, or not one of its two events.
	NotOurs,
	/// Topics or data that do not decode as the event's ABI.
	Malformed,
	/// A prompt longer than the runtime takes (the gateway allows as long as the runtime; a mismatch is a
	/// misconfiguration).
	PromptTooLong,
	/// An amount or account that Sibyl can not represent.
	Unrepresentable,
}

fn word_u64(w: &[u8; 32]) -> Result<u64, DecodeError> {
	if w[..24].iter().any(|b| *b != 0) {
		return Err(DecodeError::Malformed);
	}
	let mut b = [0u8; 8];
	b.copy_from_slice(&w[24..]);
	Ok(u64::from_be_bytes(b))
}

fn word_u32(w: &[u8; 32]) -> Result<u32, DecodeError> {
	u32::try_from(word_u64(w)?).map_err(|_| DecodeError::Malformed)
}

fn word_address(w: &[u8; 32]) -> Result<H160, DecodeError> {
	if w[..12].iter().any(|b| *b != 0) {
		return Err(DecodeError::Malformed);
	}
	Ok(H160::from_slice(&w[12..]))
}

fn to_u128(v: U256) -> Result<u128, DecodeError> {
	u128::try_from(v).map_err(|_| DecodeError::Unrepresentable)
}

/// The event `log` carries, if it is one of `gateway`'s.
pub fn decode_log<T: Config>(gateway: H160, log: &Log) -> Result<EthEventOf<T>, DecodeError> {
	if log.address != gateway {
		return Err(DecodeError::NotOurs);
	}
	let first = log.topics.first().ok_or(DecodeError::NotOurs)?;
	if *first == topic0(REQUEST_EVENT) {
		let [_, id, requester, model] = &log.topics[..] else { return Err(DecodeError::Malformed) };
		type Data = (sol_data::Array<sol_data::Uint<32>>, sol_data::Uint<32>, sol_data::Address, sol_data::Uint<64>, sol_data::Uint<256>);
		let (prompt, max_new, _consumer, _gas, fee) =
			<Data as SolType>::abi_decode_params(&log.data).map_err(|_| DecodeError::Malformed)?;
		let prompt: BoundedVec<u32, T::MaxPromptTokens> =
			prompt.try_into().map_err(|_| DecodeError::PromptTooLong)?;
		Ok(EthEvent::Request {
			id: word_u64(id)?,
			requester: word_address(requester)?,
			model: word_u32(model)?,
			prompt,
			max_new,
			fee: to_u128(fee)?,
		})
	} else if *first == topic0(TOKENS_EVENT) {
		let [_, nonce, model, from] = &log.topics[..] else { return Err(DecodeError::Malformed) };
		type Data = (sol_data::FixedBytes<32>, sol_data::Uint<256>);
		let (account, amount) = <Data as SolType>::abi_decode_params(&log.data).map_err(|_| DecodeError::Malformed)?;
		let to = inbound::account_from_bytes::<T::AccountId>(&account.0).ok_or(DecodeError::Unrepresentable)?;
		Ok(EthEvent::Tokens {
			nonce: word_u64(nonce)?,
			model: word_u32(model)?,
			from: word_address(from)?,
			to,
			amount: to_u128(amount)?,
		})
	} else {
		Err(DecodeError::NotOurs)
	}
}

/// `0x`-prefixed hex to bytes.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	if s.len() % 2 != 0 {
		return None;
	}
	let digit = |c: u8| -> Option<u8> {
		match c {
			b'0'..=b'9' => Some(c - b'0'),
			b'a'..=b'f' => Some(c - b'a' + 10),
			b'A'..=b'F' => Some(c - b'A' + 10),
			_ => None,
		}
	};
	s.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// A JSON-RPC quantity (`"0x1b4"`).
pub fn quantity(v: &Value) -> Option<u64> {
	let s = v.as_str()?.strip_prefix("0x")?;
	u64::from_str_radix(s, 16).ok()
}

/// The logs of an `eth_getLogs` answer.
pub fn parse_logs(result: &Value) -> Option<Vec<Log>> {
	let mut out = Vec::new();
	for l in result.as_array()? {
		let address = unhex(l.get("address")?.as_str()?)?;
		if address.len() != 20 {
			return None;
		}
		let mut topics = Vec::new();
		for t in l.get("topics")?.as_array()? {
			topics.push(<[u8; 32]>::try_from(unhex(t.as_str()?)?).ok()?);
		}
		out.push(Log {
			address: H160::from_slice(&address),
			topics,
			data: unhex(l.get("data")?.as_str()?)?,
			block: quantity(l.get("blockNumber")?)?,
			removed: l.get("removed").and_then(Value::as_bool).unwrap_or(false),
		});
	}
	Some(out)
}

/// One JSON-RPC call to `url`; its `result`.
fn call(url: &str, method: &str, params: &str) -> Result<Value, String> {
	let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#);
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(TIMEOUT_MS));
	let pending = http::Request::post(url, alloc::vec![body.into_bytes()])
		.add_header("Content-Type", "application/json")
		.deadline(deadline)
		.send()
		.map_err(|e| format!("{method}: {e:?}"))?;
	let response = pending
		.try_wait(deadline)
		.map_err(|_| format!("{method}: timed out"))?
		.map_err(|e| format!("{method}: {e:?}"))?;
	if response.code != 200 {
		return Err(format!("{method}: HTTP {}", response.code));
	}
	let bytes: Vec<u8> = response.body().collect();
	let mut v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{method}: {e}"))?;
	if let Some(err) = v.get("error") {
		return Err(format!("{method}: {err}"));
	}
	v.get_mut("result").map(Value::take).ok_or_else(|| format!("{method}: no result"))
}

/// `0x`-prefixed lowercase hex, as JSON-RPC takes addresses and topics.
fn hex(bytes: &[u8]) -> String {
	format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&bytes))
}

/// The gateway's logs of both events in blocks `from..=to`.
fn gateway_logs(url: &str, cfg: &EthConfig, from: u64, to: u64) -> Result<Vec<Log>, String> {
	let params = format!(
		r#"[{{"address":"{}","fromBlock":"0x{from:x}","toBlock":"0x{to:x}","topics":[["{}","{}"]]}}]"#,
		hex(cfg.gateway.as_bytes()),
		hex(&topic0(REQUEST_EVENT)),
		hex(&topic0(TOKENS_EVENT)),
	);
	let result = call(url, "eth_getLogs", &params)?;
	parse_logs(&result).ok_or_else(|| "eth_getLogs: unexpected answer".into())
}

/// The worker of block `now`.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let Some(cfg) = EthSettings::<T>::get() else { return };
	let Some(url) = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, ETH_RPC_KEY) else { return };
	let Ok(url) = String::from_utf8(url) else { return };
	let set = T::Validators::get();
	let mut keys = Vec::new();
	for key in <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::RuntimeAppPublic::all() {
		let generic: <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::GenericPublic = key.into();
		let public: T::Public = generic.into();
		let signer = public.clone().into_account();
		if let Some(validator) = <T::Attester as sp_runtime::traits::Convert<_, _>>::convert(signer.clone()) {
			if set.contains(&validator) {
				keys.push((public, signer, validator));
			}
		}
	}
	if keys.is_empty() {
		return;
	}
	let mut lock = StorageLock::<Time>::with_deadline(b"sibyl/eth-lock", Duration::from_millis(20_000));
	let Ok(_guard) = lock.try_lock() else { return };
	if let Err(e) = scan::<T>(now, &url, &cfg, &keys) {
		log::warn!(target: "runtime::settlement", "reading Ethereum at {url}: {e}");
	}
}

fn scan<T: Config>(
	now: BlockNumberFor<T>,
	url: &str,
	cfg: &EthConfig,
	keys: &[(T::Public, T::AccountId, T::AccountId)],
) -> Result<(), String> {
	let chain = quantity(&call(url, "eth_chainId", "[]")?).ok_or("eth_chainId: not a quantity")?;
	if chain != cfg.chain_id {
		return Err(format!("the endpoint serves chain {chain}, the gateway is on chain {}", cfg.chain_id));
	}
	let head = quantity(&call(url, "eth_blockNumber", "[]")?).ok_or("eth_blockNumber: not a quantity")?;
	let Some(to) = head.checked_sub(cfg.confirmations as u64) else { return Ok(()) };
	let cursor_key = (b"sibyl/eth-from", cfg.gateway, cfg.chain_id).encode();
	let cursor = StorageValueRef::persistent(&cursor_key);
	let from = cursor.get::<u64>().ok().flatten().unwrap_or(cfg.start_block).max(cfg.start_block);
	if from > to {
		return Ok(());
	}
	let to = to.min(from.saturating_add(MAX_RANGE - 1));
	let logs = gateway_logs(url, cfg, from, to)?;
	let window = <T as Config>::VoteWindow::get() as u64;
	let mut first_open: Option<u64> = None;
	let mut sent = 0usize;
	for log in logs.iter().filter(|l| !l.removed) {
		let event = match decode_log::<T>(cfg.gateway, log) {
			Ok(e) => e,
			Err(DecodeError::NotOurs) => continue,
			Err(e) => {
				log::warn!(target: "runtime::settlement", "a gateway log in Ethereum block {} does not decode: {e:?}", log.block);
				continue;
			},
		};
		let key = event.key();
		let executed = Executed::<T>::get(key.0);
		if key.1 <= executed {
			continue;
		}
		first_open = Some(first_open.map_or(log.block, |b| b.min(log.block)));
		if Ready::<T>::contains_key(key) || key.1 > executed.saturating_add(window) {
			continue;
		}
		for (public, account, validator) in keys {
			if sent >= MAX_VOTES_PER_RUN {
				break;
			}
			if Voted::<T>::contains_key(key, validator) {
				continue;
			}
			let marker_key = (b"sibyl/eth-sent", key, account).encode();
			let marker = StorageValueRef::persistent(&marker_key);
			let resend: BlockNumberFor<T> = RESEND_AFTER.into();
			let claimed = marker.mutate(|prev: Result<Option<BlockNumberFor<T>>, _>| match prev {
				Ok(Some(at)) if now < at.saturating_add(resend) && now >= at => Err(()),
				_ => Ok(now),
			});
			if claimed.is_err() {
				continue;
			}
			let event = event.clone();
			let accepted = pallet_inference::offchain::send_with_free_nonce::<T>(account, now, || {
				let result = Signer::<T, T::AuthorityId>::any_account()
					.with_filter(alloc::vec![public.clone()])
					.send_signed_transaction(|_| Call::attest { event: event.clone() });
				matches!(result, Some((_, Ok(()))))
			});
			sent += 1;
			if accepted {
				log::info!(target: "runtime::settlement", "attested {:?} #{} (Ethereum block {})", key.0, key.1, log.block);
			} else {
				let mut marker = marker;
				marker.clear();
			}
		}
	}
	cursor.set(&first_open.unwrap_or(to.saturating_add(1)));
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::Test;
	use alloy_primitives::Address;

	fn word(n: u64) -> [u8; 32] {
		let mut w = [0u8; 32];
		w[24..].copy_from_slice(&n.to_be_bytes());
		w
	}

	fn address_word(a: H160) -> [u8; 32] {
		let mut w = [0u8; 32];
		w[12..].copy_from_slice(a.as_bytes());
		w
	}

	#[test]
	fn topics_are_the_keccak_of_the_solidity_signatures() {
		// keccak256("Transfer(address,address,uint256)"), the best-known topic, checks the hash is Ethereum's.
		assert_eq!(
			hex(&topic0("Transfer(address,address,uint256)")),
			"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
		);
		assert_ne!(topic0(REQUEST_EVENT), topic0(TOKENS_EVENT));
	}

	#[test]
	fn a_request_log_decodes_to_the_event_and_a_foreign_or_broken_one_does_not() {
		let gateway = H160::repeat_byte(0x99);
		let requester = H160::repeat_byte(0x11);
		type Data = (sol_data::Array<sol_data::Uint<32>>, sol_data::Uint<32>, sol_data::Address, sol_data::Uint<64>, sol_data::Uint<256>);
		let data = <Data as SolType>::abi_encode_params(&(
			alloc::vec![3u32, 5, 8],
			6u32,
			Address::repeat_byte(0x22),
			200_000u64,
			U256::from(123_456u64),
		));
		let log = Log {
			address: gateway,
			topics: alloc::vec![topic0(REQUEST_EVENT), word(7), address_word(requester), word(0)],
			data: data.clone(),
			block: 12,
			removed: false,
		};
		let event = decode_log::<Test>(gateway, &log).expect("decodes");
		assert_eq!(
			event,
			EthEvent::Request {
				id: 7,
				requester,
				model: 0,
				prompt: alloc::vec![3, 5, 8].try_into().expect("short"),
				max_new: 6,
				fee: 123_456
			}
		);
		assert_eq!(decode_log::<Test>(H160::repeat_byte(1), &log), Err(DecodeError::NotOurs));
		let mut short = log.clone();
		short.topics.pop();
		assert_eq!(decode_log::<Test>(gateway, &short), Err(DecodeError::Malformed));
		let mut cut = log.clone();
		cut.data.truncate(64);
		assert_eq!(decode_log::<Test>(gateway, &cut), Err(DecodeError::Malformed));
		let mut other = log;
		other.topics[0] = topic0("Transfer(address,address,uint256)");
		assert_eq!(decode_log::<Test>(gateway, &other), Err(DecodeError::NotOurs));
	}

	#[test]
	fn a_tokens_log_names_a_sibyl_account_and_an_amount() {
		let gateway = H160::repeat_byte(0x99);
		let mut account = [0u8; 32];
		account[..8].copy_from_slice(&10u64.to_le_bytes());
		type Data = (sol_data::FixedBytes<32>, sol_data::Uint<256>);
		let data = <Data as SolType>::abi_encode_params(&(alloy_primitives::FixedBytes(account), U256::from(500u64)));
		let log = Log {
			address: gateway,
			topics: alloc::vec![topic0(TOKENS_EVENT), word(2), word(0), address_word(H160::repeat_byte(5))],
			data,
			block: 3,
			removed: false,
		};
		// The mock's accounts are u64: the first 8 bytes, little-endian.
		assert_eq!(
			decode_log::<Test>(gateway, &log),
			Ok(EthEvent::Tokens { nonce: 2, model: 0, from: H160::repeat_byte(5), to: 10, amount: 500 })
		);
		let mut huge = log;
		let data = <Data as SolType>::abi_encode_params(&(alloy_primitives::FixedBytes(account), U256::MAX));
		huge.data = data;
		assert_eq!(decode_log::<Test>(gateway, &huge), Err(DecodeError::Unrepresentable));
	}

	#[test]
	fn logs_parse_from_the_json_an_ethereum_node_returns() {
		let json: Value = serde_json::from_str(
			r#"[{"address":"0x9999999999999999999999999999999999999999","topics":["0x0000000000000000000000000000000000000000000000000000000000000001"],"data":"0xabcd","blockNumber":"0x1b","transactionHash":"0x00","logIndex":"0x0","removed":false}]"#,
		)
		.expect("json");
		let logs = parse_logs(&json).expect("parses");
		assert_eq!(logs.len(), 1);
		assert_eq!(logs[0].address, H160::repeat_byte(0x99));
		assert_eq!(logs[0].topics, alloc::vec![word(1)]);
		assert_eq!(logs[0].data, alloc::vec![0xab, 0xcd]);
		assert_eq!(logs[0].block, 27);
		assert!(!logs[0].removed);
		assert_eq!(unhex("0x0g"), None);
		assert_eq!(quantity(&Value::String("0x10".into())), Some(16));
	}
}
