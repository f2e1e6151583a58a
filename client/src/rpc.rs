//! A small blocking JSON-RPC (HTTP) client for the node, with typed helpers for what clients and tests read.

use codec::Decode;
use serde_json::{json, Value};
use sibyl_runtime::{AccountId, Balance, Hash, Nonce, Runtime};
use std::time::Duration;

/// A JSON-RPC error as the node returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
	/// JSON-RPC error code.
	pub code: i64,
	/// Error message.
	pub message: String,
	/// Optional data (the reason, for invalid transactions).
	pub data: Option<Value>,
}

impl std::fmt::Display for RpcError {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		write!(f, "RPC error {}: {}", self.code, self.message)?;
		if let Some(d) = &self.data {
			write!(f, " ({d})")?;
		}
		Ok(())
	}
}

/// JSON-RPC client of one node.
#[derive(Clone)]
pub struct Rpc {
	url: String,
	agent: ureq::Agent,
}

/// Hex with `0x`, every byte (`HexDisplay` abbreviates long data).
pub fn hex(bytes: &[u8]) -> String {
	sp_core::bytes::to_hex(bytes, false)
}

/// Bytes of a hex string, with or without `0x`.
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
	sp_core::bytes::from_hex(s).map_err(|e| format!("bad hex {s}: {e}"))
}

fn hash_of(v: &Value) -> Result<Hash, String> {
	let b = unhex(v.as_str().ok_or_else(|| format!("not a hash: {v}"))?)?;
	if b.len() != 32 {
		return Err(format!("hash of {} bytes: {v}", b.len()));
	}
	Ok(Hash::from_slice(&b))
}

fn number_of(header: &Value) -> Result<u32, String> {
	let s = header["number"].as_str().ok_or_else(|| format!("header without number: {header}"))?;
	u32::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|e| format!("bad block number {s}: {e}"))
}

impl Rpc {
	/// Client of the node whose RPC listens on `127.0.0.1:port`.
	pub fn new(port: u16) -> Rpc {
		Rpc::with_url(&format!("http://127.0.0.1:{port}"))
	}

	/// Client of the node at `url`: `http://` or `ws://` (the node serves both on one port; this client speaks
	/// HTTP), `https://` or `wss://`.
	pub fn with_url(url: &str) -> Rpc {
		let url = if let Some(rest) = url.strip_prefix("ws://") {
			format!("http://{rest}")
		} else if let Some(rest) = url.strip_prefix("wss://") {
			format!("https://{rest}")
		} else {
			url.to_string()
		};
		Rpc { url, agent: ureq::AgentBuilder::new().timeout(Duration::from_secs(20)).build() }
	}

	/// The URL this client posts to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Calls `method`; a JSON-RPC error comes back as `Ok(Err(_))`, a transport failure as `Err(_)`.
	pub fn request(&self, method: &str, params: Value) -> Result<Result<Value, RpcError>, String> {
		let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
		let resp: Value = match self.agent.post(&self.url).send_json(body) {
			Ok(r) => r.into_json().map_err(|e| format!("{method}: bad JSON: {e}"))?,
			Err(ureq::Error::Status(code, r)) => {
				let text = r.into_string().unwrap_or_default();
				serde_json::from_str(&text).map_err(|_| format!("{method}: HTTP {code}: {text}"))?
			},
			Err(e) => return Err(format!("{method} on {}: {e}", self.url)),
		};
		if let Some(err) = resp.get("error") {
			return Ok(Err(RpcError {
				code: err["code"].as_i64().unwrap_or(0),
				message: err["message"].as_str().unwrap_or_default().to_string(),
				data: err.get("data").cloned(),
			}));
		}
		Ok(Ok(resp.get("result").cloned().unwrap_or(Value::Null)))
	}

	/// Calls `method` and treats a JSON-RPC error as an error.
	pub fn call(&self, method: &str, params: Value) -> Result<Value, String> {
		self.request(method, params)?.map_err(|e| format!("{method}: {e}"))
	}

	/// Number of connected peers.
	pub fn peers(&self) -> Result<usize, String> {
		let h = self.call("system_health", json!([]))?;
		h["peers"].as_u64().map(|p| p as usize).ok_or_else(|| format!("bad system_health: {h}"))
	}

	/// Number of the best block.
	pub fn best_number(&self) -> Result<u32, String> {
		number_of(&self.call("chain_getHeader", json!([]))?)
	}

	/// Number and hash of the finalized head.
	pub fn finalized(&self) -> Result<(u32, Hash), String> {
		let h = self.call("chain_getFinalizedHead", json!([]))?;
		let hash = hash_of(&h)?;
		let header = self.call("chain_getHeader", json!([h]))?;
		Ok((number_of(&header)?, hash))
	}

	/// Hash of the canonical block at `number`, if the node has one.
	pub fn block_hash(&self, number: u32) -> Result<Option<Hash>, String> {
		let v = self.call("chain_getBlockHash", json!([number]))?;
		if v.is_null() {
			Ok(None)
		} else {
			hash_of(&v).map(Some)
		}
	}

	/// Number of block `hash`, and its parent's hash.
	pub fn header(&self, hash: Hash) -> Result<(u32, Hash), String> {
		let header = self.call("chain_getHeader", json!([hex(hash.as_bytes())]))?;
		Ok((number_of(&header)?, hash_of(&header["parentHash"])?))
	}

	/// The Aura slot block `hash` was authored in (from its pre-runtime digest).
	pub fn aura_slot(&self, hash: Hash) -> Result<u64, String> {
		let header = self.call("chain_getHeader", json!([hex(hash.as_bytes())]))?;
		let logs = header["digest"]["logs"].as_array().ok_or_else(|| format!("header without digest: {header}"))?;
		for log in logs {
			let bytes = unhex(log.as_str().unwrap_or_default())?;
			let item = sp_runtime::DigestItem::decode(&mut &bytes[..]).map_err(|e| format!("bad digest item: {e}"))?;
			if let Some(slot) = item.pre_runtime_try_to::<u64>(b"aura") {
				return Ok(slot);
			}
		}
		Err(format!("no Aura pre-runtime digest in {header}"))
	}

	/// `state_call` of runtime API `method` with SCALE-encoded `args` at the best block, decoded as `T`.
	pub fn runtime_call<T: Decode>(&self, method: &str, args: &[u8]) -> Result<T, String> {
		self.runtime_call_at(method, args, None)
	}

	/// `state_call` of runtime API `method` with SCALE-encoded `args` at block `at` (the best block if `None`),
	/// decoded as `T`.
	pub fn runtime_call_at<T: Decode>(&self, method: &str, args: &[u8], at: Option<Hash>) -> Result<T, String> {
		let params = match at {
			Some(h) => json!([method, hex(args), hex(h.as_bytes())]),
			None => json!([method, hex(args)]),
		};
		let v = self.call("state_call", params)?;
		let bytes = unhex(v.as_str().ok_or_else(|| format!("bad state_call answer: {v}"))?)?;
		T::decode(&mut &bytes[..]).map_err(|e| format!("{method} answered undecodable bytes: {e}"))
	}

	/// The SCALE-encoded extrinsics of block `hash`.
	pub fn block_extrinsics(&self, hash: Hash) -> Result<Vec<Vec<u8>>, String> {
		let b = self.call("chain_getBlock", json!([hex(hash.as_bytes())]))?;
		b["block"]["extrinsics"]
			.as_array()
			.ok_or_else(|| format!("block without extrinsics: {b}"))?
			.iter()
			.map(|x| unhex(x.as_str().unwrap_or_default()))
			.collect()
	}

	/// Raw storage value at `key` in the state of block `at` (best block if `None`).
	pub fn storage(&self, key: &[u8], at: Option<Hash>) -> Result<Option<Vec<u8>>, String> {
		let params = match at {
			Some(h) => json!([hex(key), hex(h.as_bytes())]),
			None => json!([hex(key)]),
		};
		let v = self.call("state_getStorage", params)?;
		if v.is_null() {
			Ok(None)
		} else {
			unhex(v.as_str().unwrap_or_default()).map(Some)
		}
	}

	/// `frame_system::AccountInfo` of `who` at block `at`.
	pub fn account(
		&self,
		who: &AccountId,
		at: Option<Hash>,
	) -> Result<frame_system::AccountInfo<Nonce, pallet_balances::AccountData<Balance>>, String> {
		let key = frame_system::Account::<Runtime>::hashed_key_for(who);
		match self.storage(&key, at)? {
			None => Ok(Default::default()),
			Some(raw) => Decode::decode(&mut &raw[..]).map_err(|e| format!("bad AccountInfo: {e}")),
		}
	}

	/// Free balance of `who` at block `at`.
	pub fn free_balance(&self, who: &AccountId, at: Option<Hash>) -> Result<Balance, String> {
		Ok(self.account(who, at)?.data.free)
	}

	/// The events of block `at`.
	pub fn events(
		&self,
		at: Hash,
	) -> Result<Vec<frame_system::EventRecord<sibyl_runtime::RuntimeEvent, Hash>>, String> {
		// `frame_system::Events` is private: its key is twox128("System") ++ twox128("Events").
		let key = [sp_crypto_hashing::twox_128(b"System"), sp_crypto_hashing::twox_128(b"Events")].concat();
		match self.storage(&key, Some(at))? {
			None => Ok(Vec::new()),
			Some(raw) => Decode::decode(&mut &raw[..]).map_err(|e| format!("bad events: {e}")),
		}
	}

	/// `system_accountNextIndex`: the nonce the next transaction of `who` must use, counting the pool.
	pub fn next_nonce(&self, who: &AccountId) -> Result<Nonce, String> {
		let ss58 = sp_core::crypto::Ss58Codec::to_ss58check(who);
		let v = self.call("system_accountNextIndex", json!([ss58]))?;
		v.as_u64().map(|n| n as Nonce).ok_or_else(|| format!("bad nonce: {v}"))
	}

	/// Genesis hash.
	pub fn genesis_hash(&self) -> Result<Hash, String> {
		self.block_hash(0)?.ok_or_else(|| "no genesis block".to_string())
	}

	/// `(spec_version, transaction_version)` of the best block's runtime.
	pub fn runtime_version(&self) -> Result<(u32, u32), String> {
		let v = self.call("state_getRuntimeVersion", json!([]))?;
		let spec = v["specVersion"].as_u64().ok_or_else(|| format!("bad runtime version: {v}"))?;
		let tx = v["transactionVersion"].as_u64().ok_or_else(|| format!("bad runtime version: {v}"))?;
		Ok((spec as u32, tx as u32))
	}

	/// `author_submitExtrinsic` with the SCALE-encoded `xt`: the transaction hash, or the node's refusal.
	pub fn submit(&self, xt: &[u8]) -> Result<Result<Hash, RpcError>, String> {
		Ok(match self.request("author_submitExtrinsic", json!([hex(xt)]))? {
			Ok(v) => Ok(hash_of(&v)?),
			Err(e) => Err(e),
		})
	}

	/// `payment_queryInfo`: the estimated fee (`partialFee`) of `xt`.
	pub fn query_fee(&self, xt: &[u8]) -> Result<Balance, String> {
		let v = self.call("payment_queryInfo", json!([hex(xt)]))?;
		let fee = &v["partialFee"];
		match fee {
			Value::String(s) => s.parse().map_err(|e| format!("bad partialFee {s}: {e}")),
			Value::Number(n) => n.as_u64().map(Balance::from).ok_or_else(|| format!("bad partialFee {n}")),
			_ => Err(format!("bad payment_queryInfo answer: {v}")),
		}
	}
}

/// The hash the transaction pool gives an extrinsic: blake2-256 of its encoding.
pub fn extrinsic_hash(xt: &[u8]) -> Hash {
	Hash::from(sp_crypto_hashing::blake2_256(xt))
}
