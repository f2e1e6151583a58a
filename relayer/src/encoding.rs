//! From Sibyl's types to the gateway's calldata: plain functions, no I/O.
//!
//! - A BEEFY set becomes [`Authorities`]: its validators' Ethereum addresses (keccak-256 of the uncompressed
//!   secp256k1 key, last 20 bytes) in authority order, whose `binary_merkle_tree` root (Keccak-256) is the
//!   set root `pallet_beefy_mmr` puts in every MMR leaf and the gateway keeps.
//! - A signed commitment becomes a [`Commitment`] (the gateway rebuilds its SCALE bytes from the MMR root,
//!   block number and set id, so the payload must be exactly one `mh` entry) and [`ValidatorSignature`]s:
//!   each signature is recovered here and kept only if it recovers to its validator, its `s` is made low (the
//!   gateway refuses high `s`), and it carries the Merkle proof of its signer's address. The indices are
//!   strictly increasing, as the gateway requires.
//! - An MMR leaf and its single-leaf proof become [`MmrLeaf`] and [`MmrProof`]; a message's
//!   `SettlementApi_message_proof` becomes [`Message`] and [`MerkleProof`], its leaf decoded from
//!   `abi.encode(uint64 nonce, uint8 kind, bytes body)` and its proof checked against its root.

use alloy::{
	primitives::{Address, Bytes, B256, U256},
	signers::k256::ecdsa::VerifyingKey,
	sol_types::{sol_data, SolType},
};
use codec::Encode;
use sibyl_inference_primitives::settlement::MessageProof;
use sp_consensus_beefy::{
	ecdsa_crypto::{AuthorityId as BeefyId, Signature as BeefySignature},
	known_payloads::MMR_ROOT_ID,
	mmr::MmrLeaf as BeefyMmrLeaf,
	Commitment as BeefyCommitment, Payload, SignedCommitment, ValidatorSet as BeefyValidatorSet,
};
use sp_core::{ByteArray, H256};
use sp_runtime::traits::Keccak256;

use crate::{
	gateway::{Commitment, MerkleProof, Message, MmrLeaf, MmrProof, ValidatorSet, ValidatorSignature},
	Error,
};

/// Sibyl's MMR leaf: `MmrLeaf<BlockNumber = u32, Hash = H256, MerkleRoot = H256, LeafExtra = H256>`.
pub type Leaf = BeefyMmrLeaf<u32, H256, H256, H256>;

/// A signed BEEFY commitment of Sibyl (block numbers are `u32`).
pub type SignedBeefyCommitment = SignedCommitment<u32, BeefySignature>;

/// How many signatures a commitment carries to the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SignaturePolicy {
	/// Just more than two thirds of the set, the first valid ones in index order: every signature costs about
	/// 14,300 gas (calldata, `ecrecover`, the address proof), and the gateway's threshold is the whole of its
	/// security, so more signatures buy nothing on chain.
	#[default]
	Minimum,
	/// Every valid signature the justification has.
	All,
}

/// The smallest number of signatures the gateway accepts for a set of `len` validators: more than two
/// thirds (`count * 3 > len * 2`).
pub fn threshold(len: u32) -> usize {
	len as usize * 2 / 3 + 1
}

/// The Ethereum address of a BEEFY (secp256k1) key: keccak-256 of the uncompressed key, last 20 bytes, as
/// `pallet_beefy_mmr::BeefyEcdsaToEthereum` computes it.
pub fn eth_address(key: &BeefyId) -> Result<Address, Error> {
	let verifying = VerifyingKey::from_sec1_bytes(key.as_slice())
		.map_err(|e| Error::Invalid(format!("BEEFY key {key:?} is no secp256k1 point: {e}")))?;
	Ok(Address::from_public_key(&verifying))
}

/// A BEEFY validator set as the gateway sees it: its id and its validators' Ethereum addresses in
/// authority order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorities {
	/// The set id.
	pub id: u64,
	/// The validators' Ethereum addresses, in authority order.
	pub addresses: Vec<Address>,
}

impl Authorities {
	/// The addresses of a set read from `BeefyApi_validator_set`.
	pub fn from_set(set: &BeefyValidatorSet<BeefyId>) -> Result<Authorities, Error> {
		let addresses = set.validators().iter().map(eth_address).collect::<Result<Vec<_>, _>>()?;
		Ok(Authorities { id: set.id(), addresses })
	}

	/// Number of validators.
	pub fn len(&self) -> u32 {
		self.addresses.len() as u32
	}

	/// Whether the set has no validator (never, for a set read from the chain).
	pub fn is_empty(&self) -> bool {
		self.addresses.is_empty()
	}

	/// The set root: `binary_merkle_tree::merkle_root::<Keccak256>` over the 20-byte addresses.
	pub fn root(&self) -> B256 {
		let root: H256 = binary_merkle_tree::merkle_root::<Keccak256, _>(self.addresses.iter().map(|a| a.0 .0));
		B256::from(root.0)
	}

	/// The set as the gateway's `ValidatorSet` struct.
	pub fn to_abi(&self) -> ValidatorSet {
		ValidatorSet { id: self.id, len: self.len(), root: self.root() }
	}

	/// The proof of validator `index`'s address under [`Self::root`], bottom-up.
	pub fn proof(&self, index: u32) -> Result<Vec<B256>, Error> {
		if index >= self.len() {
			return Err(Error::Invalid(format!("validator {index} of a set of {}", self.len())));
		}
		let proof = binary_merkle_tree::merkle_proof::<Keccak256, _, _>(self.addresses.iter().map(|a| a.0 .0), index);
		Ok(proof.proof.into_iter().map(|h| B256::from(h.0)).collect())
	}
}

/// The MMR root a commitment signs, if its payload is exactly the one entry `("mh", SCALE(root))` the gateway
/// rebuilds (any other payload would make the signatures fail on chain).
pub fn commitment(commitment: &BeefyCommitment<u32>) -> Result<Commitment, Error> {
	let root: H256 = commitment
		.payload
		.get_decoded(&MMR_ROOT_ID)
		.ok_or_else(|| Error::Invalid(format!("commitment of #{} has no MMR root", commitment.block_number)))?;
	if commitment.payload != Payload::from_single_entry(MMR_ROOT_ID, root.encode()) {
		return Err(Error::Invalid(format!(
			"commitment of #{} has a payload besides the MMR root, which the gateway can not rebuild",
			commitment.block_number
		)));
	}
	Ok(Commitment {
		mmrRoot: B256::from(root.0),
		blockNumber: commitment.block_number,
		validatorSetId: commitment.validator_set_id,
	})
}

/// What the validators sign: keccak-256 of the commitment's SCALE bytes.
pub fn commitment_digest(commitment: &BeefyCommitment<u32>) -> B256 {
	B256::from(sp_crypto_hashing::keccak_256(&commitment.encode()))
}

/// The gateway's order of the secp256k1 group, halved: signatures with a larger `s` are refused.
const SECP256K1N_HALF: U256 =
	U256::from_be_slice(&alloy::hex!("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0"));

/// The signatures of `signed` the gateway accepts, checked here first: each one must recover (over
/// [`commitment_digest`]) to the address of its validator in `authorities`; one that does not is left out.
/// Fails if fewer than [`threshold`] remain, or if the justification is not for this set.
pub fn signatures(
	signed: &SignedBeefyCommitment,
	authorities: &Authorities,
	policy: SignaturePolicy,
) -> Result<Vec<ValidatorSignature>, Error> {
	let block = signed.commitment.block_number;
	if signed.commitment.validator_set_id != authorities.id {
		return Err(Error::Invalid(format!(
			"commitment of #{block} is signed by set {}, not {}",
			signed.commitment.validator_set_id, authorities.id
		)));
	}
	if signed.signatures.len() != authorities.addresses.len() {
		return Err(Error::Invalid(format!(
			"commitment of #{block} has {} signature slots for {} validators",
			signed.signatures.len(),
			authorities.addresses.len()
		)));
	}
	let digest = commitment_digest(&signed.commitment);
	let needed = threshold(authorities.len());
	let mut out = Vec::new();
	for (index, (slot, address)) in signed.signatures.iter().zip(&authorities.addresses).enumerate() {
		let Some(signature) = slot else { continue };
		let Some(signature) = checked_signature(signature, &digest, *address) else { continue };
		let index = index as u32;
		out.push(ValidatorSignature {
			index,
			signer: *address,
			signature: Bytes::copy_from_slice(&signature),
			proof: authorities.proof(index)?,
		});
		if policy == SignaturePolicy::Minimum && out.len() == needed {
			break;
		}
	}
	if out.len() < needed {
		return Err(Error::Invalid(format!(
			"commitment of #{block}: {} valid signatures of {}, {needed} needed",
			out.len(),
			authorities.len()
		)));
	}
	Ok(out)
}

/// `signature` as the gateway takes it (`r ‖ s ‖ v`, `v` = 0/1, low `s`), if it recovers to `expected`.
fn checked_signature(signature: &BeefySignature, digest: &B256, expected: Address) -> Option<[u8; 65]> {
	let raw: [u8; 65] = AsRef::<[u8]>::as_ref(signature).try_into().ok()?;
	let mut parsed = alloy::primitives::Signature::from_raw_array(&raw).ok()?;
	if let Some(low) = parsed.normalize_s() {
		parsed = low;
	}
	if parsed.s() > SECP256K1N_HALF || parsed.recover_address_from_prehash(digest).ok()? != expected {
		return None;
	}
	let mut out = [0u8; 65];
	out[..32].copy_from_slice(&parsed.r().to_be_bytes::<32>());
	out[32..64].copy_from_slice(&parsed.s().to_be_bytes::<32>());
	out[64] = parsed.v() as u8;
	Some(out)
}

/// The leaf's version byte (`MmrLeafVersion` keeps it private; it encodes as itself).
fn leaf_version(leaf: &Leaf) -> u8 {
	leaf.version.encode().first().copied().unwrap_or_default()
}

/// An MMR leaf as the gateway's struct; the gateway hashes it back to keccak-256 of its SCALE bytes.
pub fn mmr_leaf(leaf: &Leaf) -> MmrLeaf {
	let (parent_number, parent_hash) = leaf.parent_number_and_hash;
	let next = &leaf.beefy_next_authority_set;
	MmrLeaf {
		version: leaf_version(leaf),
		parentNumber: parent_number,
		parentHash: B256::from(parent_hash.0),
		nextAuthoritySetId: next.id,
		nextAuthoritySetLen: next.len,
		nextAuthoritySetRoot: B256::from(next.keyset_commitment.0),
		leafExtra: B256::from(leaf.leaf_extra.0),
	}
}

/// A single-leaf MMR proof as the gateway's struct.
pub fn mmr_proof(proof: &sp_mmr_primitives::LeafProof<H256>) -> Result<MmrProof, Error> {
	let [index] = proof.leaf_indices[..] else {
		return Err(Error::Invalid(format!("an MMR proof of {} leaves, one expected", proof.leaf_indices.len())));
	};
	Ok(MmrProof {
		leafIndex: index,
		leafCount: proof.leaf_count,
		items: proof.items.iter().map(|h| B256::from(h.0)).collect(),
	})
}

/// How many items a `binary_merkle_tree` proof of leaf `index` among `count` has: one per row where the path
/// has a sibling (an odd last node is promoted without one).
pub fn merkle_proof_len(index: u32, count: u32) -> usize {
	let (mut position, mut width, mut items) = (index, count, 0);
	while width > 1 {
		if position + 1 < width || position % 2 == 1 {
			items += 1;
		}
		position /= 2;
		width = width.div_ceil(2);
	}
	items
}

/// The ABI of a message leaf: `(uint64 nonce, uint8 kind, bytes body)`.
type MessageLeaf = (sol_data::Uint<64>, sol_data::Uint<8>, sol_data::Bytes);

/// A message and its proof as the gateway takes them, from `SettlementApi_message_proof`: the leaf must
/// decode (and encode back byte for byte) and the proof must prove it under its root.
pub fn message(proof: &MessageProof) -> Result<(Message, MerkleProof), Error> {
	let (nonce, kind, body) = <MessageLeaf as SolType>::abi_decode_params_validate(&proof.leaf)
		.map_err(|e| Error::Invalid(format!("message leaf is not abi.encode(uint64, uint8, bytes): {e}")))?;
	let message = Message { nonce, kind, body };
	if <MessageLeaf as SolType>::abi_encode_params(&(message.nonce, message.kind, message.body.clone())) != proof.leaf {
		return Err(Error::Invalid(format!("message {nonce}: leaf is not in canonical ABI encoding")));
	}
	let proven = binary_merkle_tree::verify_proof::<Keccak256, _, _>(
		&H256(proof.root),
		proof.items.iter().map(|h| H256(*h)),
		proof.count,
		proof.index,
		&proof.leaf,
	);
	// The gateway's verifier is strict: exactly one item per row where the path has a sibling.
	if !proven || proof.items.len() != merkle_proof_len(proof.index, proof.count) {
		return Err(Error::Invalid(format!("message {nonce}: its proof does not prove it under its root")));
	}
	let merkle = MerkleProof {
		index: proof.index,
		count: proof.count,
		items: proof.items.iter().map(|h| B256::from(*h)).collect(),
	};
	Ok((message, merkle))
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Decode;
	use serde_json::Value;
	use sp_consensus_beefy::mmr::BeefyAuthoritySet;
	use sp_core::{ecdsa, Pair};

	fn b256(v: &Value) -> B256 {
		v.as_str().and_then(|s| s.parse().ok()).expect("a 32-byte hex string")
	}

	fn bytes(v: &Value) -> Vec<u8> {
		alloy::hex::decode(v.as_str().expect("a hex string")).expect("hex")
	}

	fn vector(name: &str) -> Value {
		let path = format!("{}/../contracts/test/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
		serde_json::from_str(&std::fs::read_to_string(&path).expect("the JS reference vectors are in the repository"))
			.expect("valid JSON")
	}

	fn authorities(v: &Value) -> Authorities {
		let addresses = v["addresses"]
			.as_array()
			.expect("addresses")
			.iter()
			.map(|a| a.as_str().and_then(|s| s.parse().ok()).expect("an address"))
			.collect();
		Authorities { id: v["id"].as_u64().expect("id"), addresses }
	}

	fn beefy_commitment(root: H256, block_number: u32, validator_set_id: u64) -> BeefyCommitment<u32> {
		BeefyCommitment {
			payload: Payload::from_single_entry(MMR_ROOT_ID, root.encode()),
			block_number,
			validator_set_id,
		}
	}

	/// Four BEEFY keys and their set.
	fn keys() -> (Vec<ecdsa::Pair>, BeefyValidatorSet<BeefyId>) {
		let pairs: Vec<ecdsa::Pair> = ["//Alice", "//Bob", "//Charlie", "//Dave"]
			.iter()
			.map(|s| ecdsa::Pair::from_string(s, None).expect("a dev seed"))
			.collect();
		let ids = pairs.iter().map(|p| BeefyId::from(p.public()));
		(pairs.clone(), BeefyValidatorSet::new(ids, 7).expect("a non-empty set"))
	}

	fn sign(pair: &ecdsa::Pair, commitment: &BeefyCommitment<u32>) -> BeefySignature {
		pair.sign_prehashed(&commitment_digest(commitment).0).into()
	}

	#[test]
	fn eth_address_is_the_keccak_of_the_uncompressed_key() {
		// frame-support's `ECDSAExt::to_eth_address` vector (what pallet_beefy_mmr uses).
		let pair = ecdsa::Pair::from_string("//Alice//password", None).expect("a seed");
		let address = eth_address(&BeefyId::from(pair.public())).expect("a valid key");
		assert_eq!(address, "0xdc1cce4263956850a3c8eb349dc6fc3f7792cb27".parse::<Address>().expect("an address"));
	}

	#[test]
	fn set_roots_and_proofs_match_the_js_reference() {
		for name in ["js-reference-current", "js-reference-handover"] {
			let v = vector(name);
			for set in [&v["validatorSet"], &v["nextValidatorSet"]] {
				let a = authorities(set);
				assert_eq!(a.root(), b256(&set["root"]), "{name}: set root");
				assert_eq!(a.to_abi().len as u64, set["len"].as_u64().expect("len"));
			}
			let signing_id = v["commitment"]["validatorSetId"].as_u64().expect("set id");
			let signing = if signing_id == v["validatorSet"]["id"].as_u64().expect("id") {
				authorities(&v["validatorSet"])
			} else {
				authorities(&v["nextValidatorSet"])
			};
			for sig in v["commitment"]["signatures"].as_array().expect("signatures") {
				let index = sig["index"].as_u64().expect("index") as u32;
				let expected: Vec<B256> = sig["proof"].as_array().expect("proof").iter().map(b256).collect();
				assert_eq!(signing.proof(index).expect("in the set"), expected, "{name}: proof of validator {index}");
			}
			assert!(signing.proof(signing.len()).is_err());
		}
	}

	#[test]
	fn commitment_encoding_and_signatures_match_the_js_reference() {
		for name in ["js-reference-current", "js-reference-handover"] {
			let v = vector(name);
			let c = &v["commitment"];
			let root = H256(b256(&c["mmrRoot"]).0);
			let number = c["blockNumber"].as_u64().expect("block") as u32;
			let set_id = c["validatorSetId"].as_u64().expect("set id");
			let beefy = beefy_commitment(root, number, set_id);
			// The 48 SCALE bytes the gateway rebuilds: 04 "mh" 80 root LE32(block) LE64(set id).
			assert_eq!(beefy.encode(), bytes(&c["encoded"]), "{name}: SCALE(commitment)");
			assert_eq!(commitment_digest(&beefy), b256(&c["hash"]), "{name}: its keccak-256");
			assert_eq!(
				commitment(&beefy).expect("a plain MMR-root payload"),
				Commitment { mmrRoot: B256::from(root.0), blockNumber: number, validatorSetId: set_id }
			);

			let signing = if set_id == v["validatorSet"]["id"].as_u64().expect("id") {
				authorities(&v["validatorSet"])
			} else {
				authorities(&v["nextValidatorSet"])
			};
			let mut slots: Vec<Option<BeefySignature>> = vec![None; signing.addresses.len()];
			for sig in c["signatures"].as_array().expect("signatures") {
				let raw: [u8; 65] = bytes(&sig["signature"]).try_into().expect("65 bytes");
				slots[sig["index"].as_u64().expect("index") as usize] = Some(ecdsa::Signature::from_raw(raw).into());
			}
			let signed = SignedBeefyCommitment { commitment: beefy, signatures: slots };
			let out = signatures(&signed, &signing, SignaturePolicy::Minimum).expect("enough valid signatures");
			assert_eq!(out.len(), threshold(signing.len()), "{name}: just over two thirds of 5 is 4");
			for (s, reference) in out.iter().zip(c["signatures"].as_array().expect("signatures")) {
				assert_eq!(s.index as u64, reference["index"].as_u64().expect("index"));
				assert_eq!(s.signer, signing.addresses[s.index as usize]);
			}
		}
	}

	#[test]
	fn the_threshold_is_more_than_two_thirds() {
		assert_eq!(threshold(1), 1);
		assert_eq!(threshold(3), 3);
		assert_eq!(threshold(4), 3);
		assert_eq!(threshold(5), 4);
		assert_eq!(threshold(6), 5);
		assert_eq!(threshold(100), 67);
		for len in 1..200u32 {
			let t = threshold(len) as u32;
			assert!(t * 3 > len * 2 && (t - 1) * 3 <= len * 2, "{len}");
		}
	}

	#[test]
	fn signatures_are_checked_ordered_proven_and_only_as_many_as_needed() {
		let (pairs, set) = keys();
		let a = Authorities::from_set(&set).expect("valid keys");
		let c = beefy_commitment(H256::repeat_byte(3), 42, 7);
		// Bob did not sign; Dave's slot holds Alice's signature (a node must not be trusted).
		let slots = vec![Some(sign(&pairs[0], &c)), None, Some(sign(&pairs[2], &c)), Some(sign(&pairs[0], &c))];
		let signed = SignedBeefyCommitment { commitment: c.clone(), signatures: slots };
		let err = signatures(&signed, &a, SignaturePolicy::All).expect_err("two valid of four");
		assert!(err.to_string().contains("2 valid signatures"), "{err}");

		let all = vec![Some(sign(&pairs[0], &c)), None, Some(sign(&pairs[2], &c)), Some(sign(&pairs[3], &c))];
		let signed = SignedBeefyCommitment { commitment: c.clone(), signatures: all };
		let out = signatures(&signed, &a, SignaturePolicy::Minimum).expect("three of four");
		assert_eq!(out.iter().map(|s| s.index).collect::<Vec<_>>(), vec![0, 2, 3]);
		let digest = commitment_digest(&c);
		for s in &out {
			let parsed = alloy::primitives::Signature::from_raw(&s.signature).expect("65 bytes");
			assert_eq!(parsed.recover_address_from_prehash(&digest).expect("recovers"), s.signer);
			assert!(s.signature[64] <= 1, "v is the recovery id");
			assert!(binary_merkle_tree::verify_proof::<Keccak256, _, _>(
				&H256(a.root().0),
				s.proof.iter().map(|h| H256(h.0)),
				a.len(),
				s.index,
				&s.signer.0 .0,
			));
		}

		// Five of six signed: Minimum sends five, All sends five too; with six, Minimum still sends five.
		let six: Vec<ecdsa::Pair> =
			(0..6).map(|i| ecdsa::Pair::from_string(&format!("//v{i}"), None).expect("seed")).collect();
		let set6 = BeefyValidatorSet::new(six.iter().map(|p| BeefyId::from(p.public())), 1).expect("set");
		let a6 = Authorities::from_set(&set6).expect("keys");
		let c6 = beefy_commitment(H256::repeat_byte(9), 5, 1);
		let full = SignedBeefyCommitment {
			commitment: c6.clone(),
			signatures: six.iter().map(|p| Some(sign(p, &c6))).collect(),
		};
		assert_eq!(signatures(&full, &a6, SignaturePolicy::Minimum).expect("enough").len(), 5);
		assert_eq!(signatures(&full, &a6, SignaturePolicy::All).expect("enough").len(), 6);

		// A justification for another set, or with a wrong number of slots, is refused.
		let mut other = signed.clone();
		other.commitment.validator_set_id = 8;
		assert!(signatures(&other, &a, SignaturePolicy::Minimum).is_err());
		let mut short = signed.clone();
		short.signatures.pop();
		assert!(signatures(&short, &a, SignaturePolicy::Minimum).is_err());
	}

	#[test]
	fn a_high_s_signature_is_sent_with_low_s() {
		let (pairs, set) = keys();
		let a = Authorities::from_set(&set).expect("valid keys");
		let c = beefy_commitment(H256::repeat_byte(4), 10, 7);
		let n = U256::from_be_slice(&alloy::hex!("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"));
		let flip = |sig: BeefySignature| -> BeefySignature {
			let mut raw: [u8; 65] = AsRef::<[u8]>::as_ref(&sig).try_into().expect("65 bytes");
			let s = U256::from_be_slice(&raw[32..64]);
			raw[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
			raw[64] ^= 1;
			ecdsa::Signature::from_raw(raw).into()
		};
		let slots = pairs.iter().map(|p| Some(flip(sign(p, &c)))).collect();
		let signed = SignedBeefyCommitment { commitment: c.clone(), signatures: slots };
		let out = signatures(&signed, &a, SignaturePolicy::All).expect("high-s signatures are still valid");
		assert_eq!(out.len(), 4);
		for s in out {
			assert!(U256::from_be_slice(&s.signature[32..64]) <= SECP256K1N_HALF);
			let parsed = alloy::primitives::Signature::from_raw(&s.signature).expect("65 bytes");
			assert_eq!(parsed.recover_address_from_prehash(&commitment_digest(&c)).expect("recovers"), s.signer);
		}
	}

	#[test]
	fn a_payload_with_more_than_the_mmr_root_is_refused() {
		let mut c = beefy_commitment(H256::repeat_byte(1), 3, 0);
		c.payload = c.payload.push_raw(*b"xx", vec![1, 2, 3]);
		assert!(commitment(&c).is_err());
		let none = BeefyCommitment {
			payload: Payload::from_single_entry(*b"xx", vec![]),
			block_number: 3,
			validator_set_id: 0,
		};
		assert!(commitment(&none).is_err());
	}

	#[test]
	fn leaves_and_leaf_proofs_match_the_js_reference() {
		for name in ["js-reference-current", "js-reference-handover"] {
			let v = vector(name);
			let l = &v["mmrLeaf"];
			let encoded = bytes(&l["encoded"]);
			assert_eq!(encoded.len(), 113);
			let leaf = Leaf::decode(&mut &encoded[..]).expect("a SCALE MMR leaf");
			assert_eq!(sp_crypto_hashing::keccak_256(&leaf.encode()), b256(&l["hash"]).0);
			let abi = mmr_leaf(&leaf);
			assert_eq!(abi.version as u64, l["version"].as_u64().expect("version"));
			assert_eq!(abi.parentNumber as u64, l["parentNumber"].as_u64().expect("parent"));
			assert_eq!(abi.parentHash, b256(&l["parentHash"]));
			assert_eq!(abi.nextAuthoritySetId, l["nextAuthoritySetId"].as_u64().expect("id"));
			assert_eq!(abi.nextAuthoritySetLen as u64, l["nextAuthoritySetLen"].as_u64().expect("len"));
			assert_eq!(abi.nextAuthoritySetRoot, b256(&l["nextAuthoritySetRoot"]));
			assert_eq!(abi.leafExtra, b256(&l["leafExtra"]));

			let items: Vec<H256> = l["items"].as_array().expect("items").iter().map(|i| H256(b256(i).0)).collect();
			let proof = sp_mmr_primitives::LeafProof {
				leaf_indices: vec![l["leafIndex"].as_u64().expect("index")],
				leaf_count: l["leafCount"].as_u64().expect("count"),
				items: items.clone(),
			};
			let abi = mmr_proof(&proof).expect("one leaf");
			assert_eq!((abi.leafIndex, abi.leafCount), (proof.leaf_indices[0], proof.leaf_count));
			assert_eq!(abi.items, items.iter().map(|h| B256::from(h.0)).collect::<Vec<_>>());
			let two = sp_mmr_primitives::LeafProof { leaf_indices: vec![1, 2], ..proof };
			assert!(mmr_proof(&two).is_err());
		}
	}

	#[test]
	fn a_leaf_built_here_encodes_as_113_bytes_in_the_gateways_field_order() {
		let leaf = Leaf {
			version: sp_consensus_beefy::mmr::MmrLeafVersion::new(0, 0),
			parent_number_and_hash: (0x01020304, H256::repeat_byte(0xaa)),
			beefy_next_authority_set: BeefyAuthoritySet { id: 5, len: 4, keyset_commitment: H256::repeat_byte(0xbb) },
			leaf_extra: H256::repeat_byte(0xcc),
		};
		let scale = leaf.encode();
		let abi = mmr_leaf(&leaf);
		let mut expected = vec![abi.version];
		expected.extend(abi.parentNumber.to_le_bytes());
		expected.extend(abi.parentHash.0);
		expected.extend(abi.nextAuthoritySetId.to_le_bytes());
		expected.extend(abi.nextAuthoritySetLen.to_le_bytes());
		expected.extend(abi.nextAuthoritySetRoot.0);
		expected.extend(abi.leafExtra.0);
		assert_eq!(scale, expected);
	}

	#[test]
	fn messages_and_their_proofs_match_the_js_reference_and_bad_ones_are_refused() {
		for name in ["js-reference-current", "js-reference-handover"] {
			let v = vector(name);
			let root = b256(&v["mmrLeaf"]["leafExtra"]);
			for m in v["messages"].as_array().expect("messages") {
				let proof = MessageProof {
					leaf: bytes(&m["encoded"]),
					index: m["index"].as_u64().expect("index") as u32,
					count: m["count"].as_u64().expect("count") as u32,
					items: m["items"].as_array().expect("items").iter().map(|i| b256(i).0).collect(),
					root: root.0,
				};
				let (message, merkle) = message(&proof).expect("a valid message proof");
				assert_eq!(message.nonce, m["nonce"].as_u64().expect("nonce"));
				assert_eq!(message.kind as u64, m["kind"].as_u64().expect("kind"));
				assert_eq!(message.body.to_vec(), bytes(&m["body"]));
				assert_eq!((merkle.index, merkle.count), (proof.index, proof.count));

				let mut wrong_root = proof.clone();
				wrong_root.root[0] ^= 1;
				assert!(super::message(&wrong_root).is_err());
				let mut out_of_range = proof.clone();
				out_of_range.index = out_of_range.count;
				assert!(super::message(&out_of_range).is_err());
				let mut not_abi = proof.clone();
				not_abi.leaf.truncate(40);
				assert!(super::message(&not_abi).is_err());
			}
		}
	}

	#[test]
	fn proof_lengths_are_those_binary_merkle_tree_produces() {
		for count in 1..40u32 {
			let leaves: Vec<[u8; 1]> = (0..count).map(|i| [i as u8]).collect();
			for index in 0..count {
				let proof = binary_merkle_tree::merkle_proof::<Keccak256, _, _>(leaves.iter(), index);
				assert_eq!(merkle_proof_len(index, count), proof.proof.len(), "leaf {index} of {count}");
			}
		}
	}

	#[test]
	fn a_message_proof_with_an_extra_item_is_refused() {
		let leaves: Vec<Vec<u8>> = (0..3u64)
			.map(|n| <MessageLeaf as SolType>::abi_encode_params(&(n, 1u8, Bytes::from(vec![7u8; 3]))))
			.collect();
		let p = binary_merkle_tree::merkle_proof::<Keccak256, _, _>(leaves.iter(), 2);
		let proof = MessageProof {
			leaf: leaves[2].clone(),
			index: 2,
			count: 3,
			items: p.proof.iter().map(|h| h.0).collect(),
			root: p.root.0,
		};
		assert!(message(&proof).is_ok());
		// Leaf 2 of 3 has one sibling (the root of leaves 0 and 1): an extra item is refused, as the gateway's
		// strict verifier refuses it.
		let mut longer = proof.clone();
		longer.items.push([0u8; 32]);
		assert!(message(&longer).is_err());
	}

	#[test]
	fn authorities_of_a_beefy_set_have_its_id_and_order() {
		let (pairs, set) = keys();
		let a = Authorities::from_set(&set).expect("valid keys");
		assert_eq!(a.id, 7);
		for (pair, address) in pairs.iter().zip(&a.addresses) {
			assert_eq!(*address, eth_address(&BeefyId::from(pair.public())).expect("valid"));
		}
		assert_eq!(a.to_abi(), ValidatorSet { id: 7, len: 4, root: a.root() });
	}
}
