//! Reading Sibyl over plain JSON-RPC (HTTP, blocking): BEEFY justifications, validator sets, MMR proofs and
//! the settlement pallet's messages. Every answer is decoded into the runtime's SCALE types here; nothing is
//! trusted because the node said it (the [`crate::encoding`] checks and the gateway's own checks follow).
//!
//! Which state each read needs: justifications and headers come from block bodies (kept forever); MMR proofs
//! from the node's off-chain MMR storage, computed at the node's finalized head (`best_known` names the MMR
//! they are for); validator sets and messages from the state of the block they are read at, which a pruning
//! node keeps for its last 256 blocks only, so a relayer that must catch up further needs an archive node
//! (`--state-pruning archive`).

use std::time::Duration;

use codec::{Decode, Encode};
use serde_json::{json, Value};
use sibyl_inference_primitives::settlement::MessageProof;
use sp_consensus_beefy::{
	ecdsa_crypto::{AuthorityId as BeefyId, Signature as BeefySignature},
	mmr::BeefyAuthoritySet,
	ValidatorSet, VersionedFinalityProof, BEEFY_ENGINE_ID,
};
use sp_core::H256;

use crate::{
	encoding::{Leaf, SignedBeefyCommitment},
	Error,
};

/// The JSON-RPC client of one Sibyl node.
#[derive(Clone)]
pub struct SibylRpc {
	url: String,
	agent: ureq::Agent,
}

/// `0x`-hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
	format!("0x{}", alloy::hex::encode(bytes))
}

/// Bytes of a `0x`-hex JSON string.
fn unhex(v: &Value, what: &str) -> Result<Vec<u8>, Error> {
	let s = v.as_str().ok_or_else(|| Error::Sibyl(format!("{what}: not a hex string: {v}")))?;
	alloy::hex::decode(s).map_err(|e| Error::Sibyl(format!("{what}: bad hex {s}: {e}")))
}

fn hash_of(v: &Value, what: &str) -> Result<H256, Error> {
	let raw = unhex(v, what)?;
	if raw.len() != 32 {
		return Err(Error::Sibyl(format!("{what}: a hash of {} bytes", raw.len())));
	}
	Ok(H256::from_slice(&raw))
}

fn decode<T: Decode>(raw: &[u8], what: &str) -> Result<T, Error> {
	T::decode(&mut &raw[..]).map_err(|e| Error::Sibyl(format!("{what}: undecodable answer: {e}")))
}

impl SibylRpc {
	/// A client of the node at `url` (`http://host:port`; `ws://` is taken as `http://` on the same port, which the
	/// node serves both on).
	pub fn new(url: &str) -> SibylRpc {
		let url = match url.strip_prefix("ws://") {
			Some(rest) => format!("http://{rest}"),
			None => url.to_string(),
		};
		SibylRpc { url, agent: ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build() }
	}

	/// The URL requests go to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Calls `method` with `params`; a JSON-RPC error is an [`Error::Sibyl`] too.
	pub fn call(&self, method: &str, params: Value) -> Result<Value, Error> {
		let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
		let response: Value = match self.agent.post(&self.url).send_json(body) {
			Ok(r) => r.into_json().map_err(|e| Error::Sibyl(format!("{method}: bad JSON: {e}")))?,
			Err(ureq::Error::Status(code, r)) => {
				let text = r.into_string().unwrap_or_default();
				serde_json::from_str(&text).map_err(|_| Error::Sibyl(format!("{method}: HTTP {code}: {text}")))?
			},
			Err(e) => return Err(Error::Sibyl(format!("{method} on {}: {e}", self.url))),
		};
		if let Some(error) = response.get("error") {
			return Err(Error::Sibyl(format!("{method}: {error}")));
		}
		Ok(response.get("result").cloned().unwrap_or(Value::Null))
	}

	/// `state_call` of runtime API `method` with SCALE `args` at block `at`, decoded as `T`.
	pub fn runtime_call<T: Decode>(&self, method: &str, args: &[u8], at: H256) -> Result<T, Error> {
		let v = self.call("state_call", json!([method, hex(args), hex(at.as_bytes())]))?;
		decode(&unhex(&v, method)?, method)
	}

	/// The latest block BEEFY has finalized (`beefy_getFinalizedHead`).
	pub fn beefy_finalized_head(&self) -> Result<H256, Error> {
		hash_of(&self.call("beefy_getFinalizedHead", json!([]))?, "beefy_getFinalizedHead")
	}

	/// The GRANDPA-finalized head.
	pub fn finalized_head(&self) -> Result<H256, Error> {
		hash_of(&self.call("chain_getFinalizedHead", json!([]))?, "chain_getFinalizedHead")
	}

	/// The number of block `hash`.
	pub fn block_number(&self, hash: H256) -> Result<u32, Error> {
		let header = self.call("chain_getHeader", json!([hex(hash.as_bytes())]))?;
		let s = header["number"]
			.as_str()
			.ok_or_else(|| Error::Sibyl(format!("chain_getHeader({hash:?}): no header: {header}")))?;
		u32::from_str_radix(s.trim_start_matches("0x"), 16)
			.map_err(|e| Error::Sibyl(format!("chain_getHeader: bad number {s}: {e}")))
	}

	/// The hash of the canonical block `number`.
	pub fn block_hash(&self, number: u32) -> Result<H256, Error> {
		let v = self.call("chain_getBlockHash", json!([number]))?;
		if v.is_null() {
			return Err(Error::Sibyl(format!("no block #{number}")));
		}
		hash_of(&v, "chain_getBlockHash")
	}

	/// The BEEFY justification the node stores with block `hash`, if any.
	pub fn justification(&self, hash: H256) -> Result<Option<SignedBeefyCommitment>, Error> {
		let block = self.call("chain_getBlock", json!([hex(hash.as_bytes())]))?;
		let Some(justifications) = block.get("justifications").and_then(Value::as_array) else { return Ok(None) };
		for j in justifications {
			let (Some(engine), Some(data)) = (j.get(0), j.get(1)) else { continue };
			if justification_bytes(engine)? == BEEFY_ENGINE_ID {
				let raw = justification_bytes(data)?;
				let VersionedFinalityProof::V1(signed) =
					decode::<VersionedFinalityProof<u32, BeefySignature>>(&raw, "BEEFY justification")?;
				return Ok(Some(signed));
			}
		}
		Ok(None)
	}

	/// The BEEFY validator set in the state of block `at` (`BeefyApi_validator_set`).
	pub fn validator_set(&self, at: H256) -> Result<ValidatorSet<BeefyId>, Error> {
		self.runtime_call::<Option<ValidatorSet<BeefyId>>>("BeefyApi_validator_set", &[], at)?
			.ok_or_else(|| Error::Sibyl("BEEFY is not running (no validator set)".into()))
	}

	/// The current and the next BEEFY sets as `pallet_beefy_mmr` commits to them at block `at`
	/// (`BeefyMmrApi_authority_set_proof`, `BeefyMmrApi_next_authority_set_proof`).
	pub fn authority_sets(&self, at: H256) -> Result<(BeefyAuthoritySet<H256>, BeefyAuthoritySet<H256>), Error> {
		Ok((
			self.runtime_call("BeefyMmrApi_authority_set_proof", &[], at)?,
			self.runtime_call("BeefyMmrApi_next_authority_set_proof", &[], at)?,
		))
	}

	/// Block `block`'s MMR leaf and its proof against the MMR of block `best_known` (`mmr_generateProof`,
	/// evaluated at the node's finalized head).
	pub fn leaf_proof(&self, block: u32, best_known: u32) -> Result<(Leaf, sp_mmr_primitives::LeafProof<H256>), Error> {
		let at = self.finalized_head()?;
		let generated = self.call("mmr_generateProof", json!([[block], best_known, hex(at.as_bytes())]))?;
		let leaves: Vec<sp_mmr_primitives::EncodableOpaqueLeaf> =
			decode(&unhex(&generated["leaves"], "mmr_generateProof leaves")?, "mmr_generateProof leaves")?;
		let proof: sp_mmr_primitives::LeafProof<H256> =
			decode(&unhex(&generated["proof"], "mmr_generateProof proof")?, "mmr_generateProof proof")?;
		let [leaf] = &leaves[..] else {
			return Err(Error::Sibyl(format!("mmr_generateProof: {} leaves for one block", leaves.len())));
		};
		Ok((decode(&leaf.0, "MMR leaf")?, proof))
	}

	/// The messages block `at` queued to Ethereum: each nonce with its leaf (`SettlementApi_messages`).
	pub fn messages(&self, at: H256) -> Result<Vec<(u64, Vec<u8>)>, Error> {
		self.runtime_call("SettlementApi_messages", &[], at)
	}

	/// The proof of message `nonce` in the messages root of block `at`, which queued it
	/// (`SettlementApi_message_proof`).
	pub fn message_proof(&self, nonce: u64, at: H256) -> Result<Option<MessageProof>, Error> {
		self.runtime_call("SettlementApi_message_proof", &nonce.encode(), at)
	}
}

/// A justification field: a hex string, or an array of byte values (older nodes).
fn justification_bytes(v: &Value) -> Result<Vec<u8>, Error> {
	match v {
		Value::String(_) => unhex(v, "justification"),
		Value::Array(a) => a
			.iter()
			.map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
			.collect::<Option<Vec<u8>>>()
			.ok_or_else(|| Error::Sibyl(format!("justification: not bytes: {v}"))),
		other => Err(Error::Sibyl(format!("justification: unexpected field {other}"))),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn justification_fields_decode_from_hex_or_byte_arrays() {
		assert_eq!(justification_bytes(&json!("0x42454546")).expect("hex"), BEEFY_ENGINE_ID.to_vec());
		assert_eq!(justification_bytes(&json!([66, 69, 69, 70])).expect("bytes"), BEEFY_ENGINE_ID.to_vec());
		assert!(justification_bytes(&json!([256])).is_err());
		assert!(justification_bytes(&json!(7)).is_err());
	}

	#[test]
	fn ws_urls_are_served_over_http_on_the_same_port() {
		assert_eq!(SibylRpc::new("ws://127.0.0.1:9944").url(), "http://127.0.0.1:9944");
		assert_eq!(SibylRpc::new("http://127.0.0.1:9944").url(), "http://127.0.0.1:9944");
	}
}
