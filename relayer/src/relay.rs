//! The relayer's rounds: commitments (with handovers) first, then the messages they make provable. See the
//! crate docs for the protocol; every step starts from what the gateway says now.

use std::time::Duration;

use alloy::primitives::B256;
use sp_core::H256;

use crate::{
	encoding::{self, Authorities, SignaturePolicy, SignedBeefyCommitment},
	ethereum::{self, Outcome},
	gateway::{Gateway, GatewayState, MmrLeaf, MmrProof},
	log,
	sibyl::SibylRpc,
	Error,
};

/// How many commitments one round submits at most (a gateway several sessions behind needs one handover per
/// session; the next round goes on).
const MAX_COMMITMENTS_PER_ROUND: usize = 16;

/// How far past the first block of a set the relayer looks for a justification of that set (BEEFY always
/// signs the first block; this only matters if a node has lost it).
const SET_JUSTIFICATION_SEARCH: u32 = 256;

/// How the relayer runs.
#[derive(Clone, Debug)]
pub struct Config {
	/// The first Sibyl block whose messages are scanned; `None`: the gateway's start block (from its
	/// `ValidatorSetsInitialized` event).
	pub from_block: Option<u32>,
	/// Pause between rounds.
	pub poll: Duration,
	/// How many signatures each commitment carries.
	pub signatures: SignaturePolicy,
	/// How long to wait for a transaction's receipt.
	pub receipt_timeout: Duration,
}

impl Default for Config {
	fn default() -> Config {
		Config {
			from_block: None,
			poll: Duration::from_secs(6),
			signatures: SignaturePolicy::Minimum,
			receipt_timeout: Duration::from_secs(180),
		}
	}
}

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
	/// Commitments this relayer got accepted (handovers included).
	pub commitments: usize,
	/// Messages this relayer executed.
	pub messages: usize,
	/// Transactions of this relayer that another relayer's beat (reverted on chain).
	pub lost_races: usize,
	/// Gas this relayer's transactions used, reverted ones included.
	pub gas_used: u64,
}

impl Report {
	fn add(&mut self, outcome: &Outcome) {
		match outcome {
			Outcome::Sent { gas_used, .. } => self.gas_used += gas_used,
			Outcome::LostRace { gas_used, .. } => {
				self.gas_used += gas_used;
				self.lost_races += 1;
			},
			Outcome::AlreadyDone(_) => {},
		}
	}
}

/// A signed commitment to submit.
struct Candidate {
	number: u32,
	hash: H256,
	signed: SignedBeefyCommitment,
	handover: bool,
}

/// Whether a block's messages are done with (delivered, none, or undeliverable), or must be looked at again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delivery {
	Done,
	Retry,
}

/// One relayer: a Sibyl node, a gateway, a key (in the gateway's provider) and a scan position.
pub struct Relayer {
	sibyl: SibylRpc,
	gateway: Gateway,
	config: Config,
	/// The first block whose messages may be undelivered. Only saves work: every delivery re-reads
	/// `isExecuted`.
	scan_from: Option<u32>,
}

impl Relayer {
	/// A relayer between `sibyl` and `gateway` (whose provider signs and pays).
	pub fn new(sibyl: SibylRpc, gateway: Gateway, config: Config) -> Relayer {
		let scan_from = config.from_block;
		Relayer { sibyl, gateway, config, scan_from }
	}

	/// Rounds forever, `config.poll` apart; a failed round is logged and the next one starts afresh. With
	/// `once`, one round, whose error is returned.
	pub async fn run(&mut self, once: bool) -> Result<(), Error> {
		loop {
			let result = self.round().await;
			if once {
				return result.map(|_| ());
			}
			tokio::time::sleep(self.config.poll).await;
		}
	}

	/// One round: commitments, then messages. Both run even if the first fails (roots already accepted
	/// still prove messages); the first error is returned after both are logged.
	pub async fn round(&mut self) -> Result<Report, Error> {
		let mut report = Report::default();
		let commitments = self.relay_commitments(&mut report).await;
		if let Err(e) = &commitments {
			log(format!("commitments: {e}"));
		}
		let messages = self.relay_messages(&mut report).await;
		if let Err(e) = &messages {
			log(format!("messages: {e}"));
		}
		commitments.and(messages).map(|()| report)
	}

	/// Submits commitments until the gateway has Sibyl's BEEFY-finalized head.
	async fn relay_commitments(&mut self, report: &mut Report) -> Result<(), Error> {
		for _ in 0..MAX_COMMITMENTS_PER_ROUND {
			let state = GatewayState::read(&self.gateway).await?;
			let head = self.sibyl.beefy_finalized_head()?;
			let head_number = self.sibyl.block_number(head)?;
			if head_number <= state.latest_block {
				return Ok(());
			}
			let Some(candidate) = self.next_commitment(&state, head, head_number)? else { return Ok(()) };
			self.submit_commitment(&state, candidate, report).await?;
		}
		Ok(())
	}

	/// The commitment to submit next: the head's if the gateway's current or next set signed it, else the
	/// first commitment of the gateway's next set (the handover that must come first).
	fn next_commitment(&self, state: &GatewayState, head: H256, head_number: u32) -> Result<Option<Candidate>, Error> {
		let Some(signed) = self.sibyl.justification(head)? else {
			log(format!("BEEFY head #{head_number} has no justification (yet)"));
			return Ok(None);
		};
		if signed.commitment.block_number != head_number {
			return Err(Error::Invalid(format!(
				"the justification of #{head_number} commits to #{}",
				signed.commitment.block_number
			)));
		}
		let set = signed.commitment.validator_set_id;
		if set == state.current.id || set == state.next.id {
			let handover = set == state.next.id;
			return Ok(Some(Candidate { number: head_number, hash: head, signed, handover }));
		}
		if set < state.current.id {
			return Err(Error::Invalid(format!(
				"BEEFY head #{head_number} is signed by set {set}, older than the gateway's current set {}",
				state.current.id
			)));
		}
		let first = self.first_block_of_set(state.next.id, state.latest_block, head_number)?;
		let last = head_number.min(first.saturating_add(SET_JUSTIFICATION_SEARCH));
		for number in first..=last {
			let hash = self.sibyl.block_hash(number)?;
			let Some(signed) = self.sibyl.justification(hash)? else { continue };
			match signed.commitment.validator_set_id {
				id if id == state.next.id => return Ok(Some(Candidate { number, hash, signed, handover: true })),
				id if id > state.next.id => break,
				_ => continue,
			}
		}
		Err(Error::Invalid(format!(
			"no justification of set {} in #{first}..=#{last}: the gateway can not follow the handover",
			state.next.id
		)))
	}

	/// The first block of BEEFY set `set` in `(after, head]`: the first whose MMR leaf announces `set + 1`
	/// (the runtime's MMR leaf is appended after the session change, so a set's first block already
	/// announces the set after it). Bisects over the leaves, which the node proves from its off-chain MMR
	/// without historical state.
	fn first_block_of_set(&self, set: u64, after: u32, head: u32) -> Result<u32, Error> {
		let announces = |block: u32| -> Result<u64, Error> {
			Ok(self.sibyl.leaf_proof(block, head)?.0.beefy_next_authority_set.id)
		};
		let (mut low, mut high) = (after.saturating_add(1).max(1), head);
		if low > high || announces(high)? <= set {
			return Err(Error::Invalid(format!("no block in #{low}..=#{head} announces set {}", set + 1)));
		}
		while low < high {
			let mid = low + (high - low) / 2;
			if announces(mid)? > set {
				high = mid;
			} else {
				low = mid + 1;
			}
		}
		Ok(low)
	}

	/// Checks `candidate` against Sibyl's set and the gateway's, and submits it.
	async fn submit_commitment(
		&self,
		state: &GatewayState,
		candidate: Candidate,
		report: &mut Report,
	) -> Result<(), Error> {
		let Candidate { number, hash, signed, handover } = candidate;
		let set_id = signed.commitment.validator_set_id;
		let authorities = Authorities::from_set(&self.sibyl.validator_set(hash)?)?;
		if authorities.id != set_id {
			return Err(Error::Invalid(format!(
				"#{number} is signed by set {set_id}, its state has set {}",
				authorities.id
			)));
		}
		let known = if handover { &state.next } else { &state.current };
		let ours = authorities.to_abi();
		if ours != *known {
			return Err(Error::Invalid(format!(
				"Sibyl's set {set_id} ({} validators, root {}) is not the gateway's ({} validators, root {})",
				ours.len, ours.root, known.len, known.root
			)));
		}
		let commitment = encoding::commitment(&signed.commitment)?;
		let signatures = encoding::signatures(&signed, &authorities, self.config.signatures)?;
		let (leaf, proof, what) = if handover {
			let (leaf, proof) = self.sibyl.leaf_proof(number, number)?;
			let announced = leaf.beefy_next_authority_set.id;
			if announced != set_id + 1 {
				return Err(Error::Invalid(format!("#{number}'s leaf announces set {announced}, not {}", set_id + 1)));
			}
			(encoding::mmr_leaf(&leaf), encoding::mmr_proof(&proof)?, format!(": handover, next set {announced}"))
		} else {
			(MmrLeaf::default(), MmrProof::default(), String::new())
		};
		let what = format!(
			"submitCommitment #{number} (set {set_id}{what}, {} of {} signatures)",
			signatures.len(),
			authorities.len()
		);
		let call = self.gateway.submitCommitment(commitment, signatures, leaf, proof).clear_decoder();
		let outcome = ethereum::send("submitCommitment", call, self.config.receipt_timeout).await?;
		if let Outcome::Sent { .. } = outcome {
			report.commitments += 1;
		}
		report.add(&outcome);
		log(describe_outcome(&what, &outcome));
		Ok(())
	}

	/// Delivers the messages of the blocks from the scan position up to the one the gateway's latest root
	/// covers (block `n`'s messages are in leaf `n + 1`).
	async fn relay_messages(&mut self, report: &mut Report) -> Result<(), Error> {
		let state = GatewayState::read(&self.gateway).await?;
		if state.latest_root == B256::ZERO {
			return Ok(());
		}
		let from = match self.scan_from {
			Some(b) => b,
			None => {
				let b = self.start_block().await?;
				log(format!("scanning Sibyl's messages from #{b}, the gateway's start block"));
				self.scan_from = Some(b);
				b
			},
		};
		let Some(last) = state.latest_block.checked_sub(1) else { return Ok(()) };
		let mut retry_from = None;
		let mut result = Ok(());
		for number in from..=last {
			match self.deliver_block(&state, number, report).await {
				Ok(Delivery::Done) => {},
				Ok(Delivery::Retry) => {
					retry_from.get_or_insert(number);
				},
				Err(e) => {
					retry_from.get_or_insert(number);
					result = Err(e);
					break;
				},
			}
		}
		self.scan_from = Some(retry_from.unwrap_or(from.max(last + 1)));
		result
	}

	/// The gateway's start block, from its `ValidatorSetsInitialized` event.
	async fn start_block(&self) -> Result<u32, Error> {
		let events = self
			.gateway
			.ValidatorSetsInitialized_filter()
			.from_block(0)
			.query()
			.await
			.map_err(|e| Error::Ethereum(format!("ValidatorSetsInitialized: {e}; pass --from-block")))?;
		let (event, _) = events.first().ok_or_else(|| {
			Error::Config("the gateway has no ValidatorSetsInitialized event; pass --from-block".into())
		})?;
		Ok(event.startBlock)
	}

	/// Delivers block `number`'s messages that the gateway has not executed, under the gateway's latest root.
	async fn deliver_block(&self, state: &GatewayState, number: u32, report: &mut Report) -> Result<Delivery, Error> {
		let hash = self.sibyl.block_hash(number)?;
		let queued = match self.sibyl.messages(hash) {
			Ok(q) => q,
			Err(Error::Sibyl(e)) if e.contains("discarded") => {
				log(format!("the messages of #{number} can not be read, the node has pruned its state (use an archive node): {e}"));
				return Ok(Delivery::Done);
			},
			Err(e) => return Err(e),
		};
		let mut pending = Vec::new();
		for (nonce, _) in &queued {
			let executed = self.gateway.isExecuted(*nonce).call().await.map_err(Error::eth("isExecuted"))?;
			if !executed {
				pending.push(*nonce);
			}
		}
		if pending.is_empty() {
			return Ok(Delivery::Done);
		}

		let mut messages = Vec::new();
		let mut proofs = Vec::new();
		let mut root = None;
		for nonce in &pending {
			let proof = self
				.sibyl
				.message_proof(*nonce, hash)?
				.ok_or_else(|| Error::Invalid(format!("#{number} queued message {nonce} but proves none")))?;
			let (message, merkle) = encoding::message(&proof)?;
			if message.nonce != *nonce || *root.get_or_insert(proof.root) != proof.root {
				return Err(Error::Invalid(format!(
					"#{number}: the proof of message {nonce} is for another message or root"
				)));
			}
			messages.push(message);
			proofs.push(merkle);
		}
		let root = root.unwrap_or_default();
		let (leaf, leaf_proof) = self.sibyl.leaf_proof(number + 1, state.latest_block)?;
		if leaf.parent_number_and_hash != (number, hash) || leaf.leaf_extra.0 != root {
			return Err(Error::Invalid(format!("#{}'s leaf does not carry #{number}'s messages root", number + 1)));
		}
		let leaf = encoding::mmr_leaf(&leaf);
		let leaf_proof = encoding::mmr_proof(&leaf_proof)?;
		let what = format!(
			"executeMessages #{number} (nonces {pending:?}, leaf #{}, root of #{})",
			number + 1,
			state.latest_block
		);
		let call = self
			.gateway
			.executeMessages(state.latest_root, leaf.clone(), leaf_proof.clone(), messages.clone(), proofs.clone())
			.clear_decoder();
		match ethereum::send("executeMessages", call, self.config.receipt_timeout).await {
			Ok(outcome) => {
				log(describe_outcome(&what, &outcome));
				report.add(&outcome);
				Ok(match outcome {
					Outcome::Sent { .. } => {
						report.messages += messages.len();
						Delivery::Done
					},
					// Another relayer executed some of them meanwhile: the rest next round.
					Outcome::AlreadyDone(_) | Outcome::LostRace { .. } => Delivery::Retry,
				})
			},
			Err(Error::Rejected { reason, .. }) if messages.len() > 1 => {
				log(format!("{what}: refused ({reason}); sending each message alone"));
				let mut delivery = Delivery::Done;
				for (message, proof) in messages.into_iter().zip(proofs) {
					let nonce = message.nonce;
					let what = format!("executeMessage #{number} (nonce {nonce}, leaf #{})", number + 1);
					let call = self
						.gateway
						.executeMessage(state.latest_root, leaf.clone(), leaf_proof.clone(), message, proof)
						.clear_decoder();
					match ethereum::send("executeMessage", call, self.config.receipt_timeout).await {
						Ok(outcome) => {
							log(describe_outcome(&what, &outcome));
							report.add(&outcome);
							if let Outcome::Sent { .. } = outcome {
								report.messages += 1;
							}
						},
						Err(Error::Rejected { reason, undeliverable: true, .. }) => {
							log(format!("{what}: message {nonce} can never be executed ({reason}); left"));
						},
						Err(e @ Error::Rejected { .. }) => {
							log(format!("{what}: {e}; again next round"));
							delivery = Delivery::Retry;
						},
						Err(e) => return Err(e),
					}
				}
				Ok(delivery)
			},
			Err(Error::Rejected { reason, undeliverable: true, .. }) => {
				log(format!("{what}: can never be executed ({reason}); left"));
				Ok(Delivery::Done)
			},
			Err(e @ Error::Rejected { .. }) => {
				log(format!("{what}: {e}; again next round"));
				Ok(Delivery::Retry)
			},
			Err(e) => Err(e),
		}
	}
}

/// One log line for an action's outcome; the gas is always last but one (`gas N, tx 0x..`).
pub fn describe_outcome(what: &str, outcome: &Outcome) -> String {
	match outcome {
		Outcome::Sent { gas_used, tx } => format!("{what}: gas {gas_used}, tx {tx}"),
		Outcome::AlreadyDone(reason) => format!("{what}: already on chain, not sent ({reason})"),
		Outcome::LostRace { gas_used, tx, reason } => {
			format!("{what}: another relayer was first, reverted on chain ({reason}): gas {gas_used}, tx {tx}")
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn outcomes_are_logged_with_their_gas() {
		let tx = B256::repeat_byte(1);
		let sent = describe_outcome("executeMessages #8", &Outcome::Sent { gas_used: 827_145, tx });
		assert!(sent.starts_with("executeMessages #8: gas 827145, tx 0x0101"), "{sent}");
		let lost = Outcome::LostRace { gas_used: 30_000, tx, reason: "MessageAlreadyExecuted".into() };
		assert!(describe_outcome("x", &lost).contains("gas 30000"));
		assert!(describe_outcome("x", &Outcome::AlreadyDone("StaleCommitment".into())).contains("not sent"));
	}

	#[test]
	fn reports_count_gas_of_sent_and_reverted_transactions_only() {
		let mut r = Report::default();
		r.add(&Outcome::Sent { gas_used: 10, tx: B256::ZERO });
		r.add(&Outcome::LostRace { gas_used: 5, tx: B256::ZERO, reason: String::new() });
		r.add(&Outcome::AlreadyDone(String::new()));
		assert_eq!((r.gas_used, r.lost_races), (15, 1));
	}
}
