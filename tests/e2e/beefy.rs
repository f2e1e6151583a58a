//! BEEFY on the 4-validator network: what an Ethereum light client (the bridge's gateway) will be given.
//! - The validators' BEEFY gadgets sign commitments to the MMR root of finalized blocks; the justification the
//!   node stores has signatures from more than 2/3 of the set, each recovering (secp256k1, over keccak-256 of
//!   the SCALE-encoded commitment) to that validator's key, and its payload is the MMR root at that block.
//! - `mmr_generateProof` proves a block's leaf against that root; the runtime verifies the proof, and the leaf
//!   is the parent block's number and hash, the next BEEFY set (4 validators, the Merkle root of their Ethereum
//!   addresses) and the messages root.
//! - A message to Ethereum (a revenue-share token bridged out) is proven in its block's messages root, which the
//!   next block's leaf carries under a root the validators signed.
//! - Sessions rotate (20 blocks in the preset) and BEEFY hands over: a commitment signed by set 1 follows the
//!   leaves that announced set 1.

use std::time::{Duration, Instant};

use codec::{Decode, Encode};
use serde_json::{json, Value};
use sibyl_client::rpc::{hex, unhex, Rpc};
use pallet_settlement::message::{Kind, MessageProof};
use sibyl_e2e::{network_lock, tx, wait_for, Network};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sibyl_runtime::Hash;
use sp_consensus_beefy::{
	ecdsa_crypto::{AuthorityId as BeefyId, Signature as BeefySignature},
	known_payloads::MMR_ROOT_ID,
	mmr::MmrLeaf,
	ValidatorSet, VersionedFinalityProof, BEEFY_ENGINE_ID,
};
use sp_runtime::traits::Keccak256;

type Leaf = MmrLeaf<u32, Hash, Hash, Hash>;
type Proof = VersionedFinalityProof<u32, BeefySignature>;

/// The block's BEEFY justification, if the node stores one.
fn beefy_justification(rpc: &Rpc, hash: Hash) -> Result<Option<Proof>, String> {
	let block = rpc.call("chain_getBlock", json!([hex(hash.as_bytes())]))?;
	let Some(justifications) = block.get("justifications").and_then(Value::as_array) else { return Ok(None) };
	for j in justifications {
		let (Some(engine), Some(data)) = (j.get(0), j.get(1)) else { continue };
		let bytes = |v: &Value| -> Result<Vec<u8>, String> {
			match v {
				Value::String(s) => unhex(s),
				Value::Array(a) => Ok(a.iter().filter_map(Value::as_u64).map(|b| b as u8).collect()),
				other => Err(format!("unexpected justification field {other}")),
			}
		};
		if bytes(engine)? == BEEFY_ENGINE_ID.to_vec() {
			let raw = bytes(data)?;
			return Proof::decode(&mut &raw[..]).map(Some).map_err(|e| format!("BEEFY justification: {e}"));
		}
	}
	Ok(None)
}

/// A runtime API call at block `at`.
fn call_at<T: Decode>(rpc: &Rpc, method: &str, args: &[u8], at: Hash) -> Result<T, String> {
	rpc.runtime_call_at(method, args, Some(at))
}

/// The BEEFY validator set at block `at`.
fn validator_set(rpc: &Rpc, at: Hash) -> Result<ValidatorSet<BeefyId>, String> {
	call_at::<Option<ValidatorSet<BeefyId>>>(rpc, "BeefyApi_validator_set", &[], at)?.ok_or("BEEFY is off".into())
}

/// `mmr_generateProof` for block `block`'s leaf against the MMR of block `best` (hash `at`): the decoded leaf,
/// and the leaves and proof as the runtime API takes them.
fn leaf_proof(
	rpc: &Rpc,
	block: u32,
	best: u32,
	at: Hash,
) -> Result<(Leaf, Vec<sp_mmr_primitives::EncodableOpaqueLeaf>, sp_mmr_primitives::LeafProof<Hash>), String> {
	let generated = rpc.call("mmr_generateProof", json!([[block], best, hex(at.as_bytes())]))?;
	let field = |name: &str| -> Result<Vec<u8>, String> {
		unhex(generated.get(name).and_then(Value::as_str).ok_or(format!("mmr_generateProof: no {name}"))?)
	};
	let leaves: Vec<sp_mmr_primitives::EncodableOpaqueLeaf> =
		Decode::decode(&mut &field("leaves")?[..]).map_err(|e| format!("leaves: {e}"))?;
	let proof: sp_mmr_primitives::LeafProof<Hash> =
		Decode::decode(&mut &field("proof")?[..]).map_err(|e| format!("proof: {e}"))?;
	let [one] = &leaves[..] else { return Err(format!("{} leaves for one block", leaves.len())) };
	let leaf = Leaf::decode(&mut &one.clone().into_opaque_leaf().0[..]).map_err(|e| format!("leaf: {e}"))?;
	Ok((leaf, leaves, proof))
}

fn beefy_head(rpc: &Rpc) -> Result<Hash, String> {
	let h = rpc.call("beefy_getFinalizedHead", json!([]))?;
	let s = h.as_str().ok_or("beefy_getFinalizedHead: not a string")?;
	let raw = unhex(s)?;
	Ok(Hash::from_slice(&raw))
}

/// Checks a signed commitment as the gateway will: > 2/3 of `set` signed keccak-256(SCALE(commitment)), each
/// signature recovering to its validator's key; returns the MMR root it commits to and how many signed.
fn check_commitment(proof: &Proof, set: &ValidatorSet<BeefyId>) -> (Hash, usize) {
	let VersionedFinalityProof::V1(signed) = proof;
	assert_eq!(signed.commitment.validator_set_id, set.id(), "signed by the set of its block");
	let digest = sp_crypto_hashing::keccak_256(&signed.commitment.encode());
	assert_eq!(signed.signatures.len(), set.validators().len());
	let mut count = 0;
	for (sig, key) in signed.signatures.iter().zip(set.validators()) {
		let Some(sig) = sig else { continue };
		let raw: &sp_core::ecdsa::Signature = sig.as_ref();
		let public = raw.recover_prehashed(&digest).expect("the signature recovers");
		assert_eq!(&public, AsRef::<sp_core::ecdsa::Public>::as_ref(key), "a signature by its validator");
		count += 1;
	}
	assert!(3 * count > 2 * set.validators().len(), "{count} of {} signed", set.validators().len());
	let root = signed.commitment.payload.get_decoded::<Hash>(&MMR_ROOT_ID).expect("an MMR root payload");
	(root, count)
}

#[test]
fn validators_sign_mmr_roots_that_prove_each_blocks_leaf_and_hand_over_each_session() {
	let _serial = network_lock();
	let net = Network::local();
	net.wait_finalized(0, 1, Duration::from_secs(90));
	let rpc = net.nodes[2].rpc();
	let started = Instant::now();

	// A BEEFY-finalized block beyond genesis, with its justification.
	let (head, proof) = net.expect(wait_for("a BEEFY-finalized block", Duration::from_secs(120), Duration::from_secs(1), || {
		let head = beefy_head(&rpc)?;
		// Past the first blocks: an MMR of one leaf is its own root, and the runtime's stateless check then
		// compares a leaf with a hash and refuses (pallet-mmr's edge case); a relayer proves larger MMRs.
		let (n, _) = rpc.header(head)?;
		if n < 4 {
			return Ok(None);
		}
		Ok(beefy_justification(&rpc, head)?.map(|p| (head, p)))
	}));
	let (number, _) = net.expect(rpc.header(head));
	let VersionedFinalityProof::V1(signed) = &proof;
	assert_eq!(signed.commitment.block_number, number);
	let at_head = net.expect(validator_set(&rpc, head));
	assert_eq!(at_head.validators().len(), 4);
	let (root, signers) = check_commitment(&proof, &at_head);
	let mmr_root_at_head: Result<Hash, sp_mmr_primitives::Error> =
		net.expect(call_at(&rpc, "MmrApi_mmr_root", &[], head));
	assert_eq!(mmr_root_at_head, Ok(root), "the commitment's payload is the MMR root at its block");
	eprintln!(
		"BEEFY: block #{number} (set {}) signed by {signers} of 4, {:.0} s after the network finalized #1",
		at_head.id(),
		started.elapsed().as_secs_f64()
	);

	// The leaf of an earlier block, proven against the committed root.
	let target = number.saturating_sub(2).max(1);
	let (leaf, leaves, mmr_proof) = net.expect(leaf_proof(&rpc, target, number, head));
	let parent = net.expect(rpc.block_hash(target - 1)).expect("the parent block");
	assert_eq!(leaf.parent_number_and_hash, (target - 1, parent), "the leaf of block #{target} names its parent");
	assert_eq!(leaf.beefy_next_authority_set.len, 4);
	assert_eq!(leaf.leaf_extra, Hash::zero(), "no messages to Ethereum yet");
	// The runtime verifies it against the committed root, and refuses it against another.
	let verify = |root: Hash| -> Result<(), sp_mmr_primitives::Error> {
		let args = (root, leaves.clone(), mmr_proof.clone()).encode();
		net.expect(rpc.runtime_call("MmrApi_verify_proof_stateless", &args))
	};
	assert_eq!(verify(root), Ok(()));
	assert!(verify(Hash::repeat_byte(7)).is_err());
	// The leaf hash the MMR commits to is keccak-256 of the leaf's SCALE bytes (what Solidity recomputes).
	assert_eq!(
		<Keccak256 as sp_runtime::traits::Hash>::hash(&leaf.encode()),
		Hash::from(sp_crypto_hashing::keccak_256(&leaf.encode()))
	);

	// A message to Ethereum: Ferdie (SmolLM2's owner) creates its revenue-share token and bridges units out.
	let ctx = net.expect(tx::fetch_context(&rpc));
	let ferdie = Sr25519Keyring::Ferdie.pair();
	let ferdie_id: sibyl_runtime::AccountId = ferdie.public().into();
	let nonce = net.expect(rpc.next_nonce(&ferdie_id));
	let from = net.expect(rpc.best_number());
	let create = sibyl_runtime::RuntimeCall::Revshare(pallet_revshare::Call::create_token {
		model: 0,
		name: b"SmolLM2 revenue".to_vec(),
		symbol: b"SMOL".to_vec(),
		decimals: 0,
		supply: 1_000_000,
		min_balance: 1,
		claim_share: sp_runtime::Perbill::from_percent(60),
		treasury_share: sp_runtime::Perbill::from_percent(10),
	});
	let recipient = sp_core::H160::repeat_byte(0x42);
	let bridge = sibyl_runtime::RuntimeCall::Settlement(pallet_settlement::Call::bridge_out {
		model: 0,
		recipient,
		amount: 250_000,
	});
	let xt1 = tx::signed(&ctx, &ferdie, nonce, create, None);
	let xt2 = tx::signed(&ctx, &ferdie, nonce + 1, bridge, None);
	net.expect(rpc.submit(&xt1)).unwrap_or_else(|e| panic!("create_token refused: {e}"));
	net.expect(rpc.submit(&xt2)).unwrap_or_else(|e| panic!("bridge_out refused: {e}"));
	let (queued_at, queued_hash, _) =
		net.expect(sibyl_e2e::inference::await_success(&rpc, &xt2, from, Duration::from_secs(90)));
	let messages: Vec<(u64, Vec<u8>)> = net.expect(call_at(&rpc, "SettlementApi_messages", &[], queued_hash));
	let (msg_nonce, msg_leaf) = messages.last().cloned().expect("the block queued the mint message");
	assert_eq!(msg_leaf, pallet_settlement::message::leaf(msg_nonce, Kind::TokenMint, &pallet_settlement::message::token_mint_body(0, recipient, 250_000)));
	let msg_proof: Option<MessageProof> =
		net.expect(call_at(&rpc, "SettlementApi_message_proof", &msg_nonce.encode(), queued_hash));
	let msg_proof = msg_proof.expect("a proof at the block that queued it");
	assert!(pallet_settlement::message::verify(&msg_proof));
	// The next block's leaf carries the block's messages root, under a root the validators sign.
	let (_, committed) = net.expect(wait_for("a BEEFY commitment past the message", Duration::from_secs(120), Duration::from_secs(1), || {
		let h = beefy_head(&rpc)?;
		let (n, _) = rpc.header(h)?;
		Ok((n > queued_at).then_some((n, h)))
	}));
	let (committed_number, _) = net.expect(rpc.header(committed));
	let proof_c = net.expect(beefy_justification(&rpc, committed)).expect("a BEEFY justification");
	let set_c = net.expect(validator_set(&rpc, committed));
	let (root_c, _) = check_commitment(&proof_c, &set_c);
	let (leaf_n1, leaves_n1, proof_n1) = net.expect(leaf_proof(&rpc, queued_at + 1, committed_number, committed));
	assert_eq!(leaf_n1.leaf_extra, Hash::from(msg_proof.root), "block #{}'s leaf carries #{queued_at}'s messages root", queued_at + 1);
	let verified: Result<(), sp_mmr_primitives::Error> =
		net.expect(rpc.runtime_call("MmrApi_verify_proof_stateless", &(root_c, leaves_n1, proof_n1).encode()));
	assert_eq!(verified, Ok(()));
	eprintln!(
		"message {msg_nonce} (a mint of 250,000 units to {recipient:?}) queued at #{queued_at}, in #{}'s leaf, under the root BEEFY signed at #{committed_number}, {:.0} s in",
		queued_at + 1,
		started.elapsed().as_secs_f64()
	);

	// The handover: a later session's set signs, and the leaves announced it first.
	let next_id = at_head.id() + 1;
	let (head2, proof2) = net.expect(wait_for(
		"a commitment signed by the next BEEFY set",
		Duration::from_secs(240),
		Duration::from_secs(2),
		|| {
			let h = beefy_head(&rpc)?;
			match beefy_justification(&rpc, h)? {
				Some(VersionedFinalityProof::V1(s)) if s.commitment.validator_set_id >= next_id =>
					Ok(Some((h, VersionedFinalityProof::V1(s)))),
				_ => Ok(None),
			}
		},
	));
	let set2 = net.expect(validator_set(&rpc, head2));
	let (root2, signers2) = check_commitment(&proof2, &set2);
	let (number2, _) = net.expect(rpc.header(head2));
	// The handover block's own leaf announces the set after it, under the root the new set signed: what the
	// gateway needs to accept the next handover.
	let (leaf2, leaves2, proof2_mmr) = net.expect(leaf_proof(&rpc, number2, number2, head2));
	assert_eq!(leaf2.beefy_next_authority_set.id, set2.id() + 1);
	let args = (root2, leaves2, proof2_mmr).encode();
	let verified: Result<(), sp_mmr_primitives::Error> =
		net.expect(rpc.runtime_call("MmrApi_verify_proof_stateless", &args));
	assert_eq!(verified, Ok(()));
	eprintln!(
		"BEEFY handover: block #{number2} signed by set {} ({signers2} of 4), {:.0} s in",
		set2.id(),
		started.elapsed().as_secs_f64()
	);
}
