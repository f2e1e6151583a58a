//! Helpers for the inference tests: requests over RPC, their events, and `sibyl-node engine run` for the
//! expected answer.

use std::{path::Path, process::Command, time::Duration};

use frame_system::{EventRecord, Phase};
use pallet_inference::Event as InferenceEvent;
use sibyl_client::ask;
use sibyl_inference_primitives::{ModelId, RequestId, RequestStatus};
use sibyl_runtime::{AccountId, Balance, Hash, RuntimeCall, RuntimeEvent};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

use crate::{rpc::extrinsic_hash, tx, wait_for, Rpc};

/// An event of a block with the extrinsic index it belongs to (`None`: the block's hooks).
pub type Event = (Option<u32>, RuntimeEvent);

/// The events of block `at`, with their extrinsic index.
pub fn events(rpc: &Rpc, at: Hash) -> Result<Vec<Event>, String> {
	Ok(rpc
		.events(at)?
		.into_iter()
		.map(|EventRecord { phase, event, .. }| {
			(match phase {
				Phase::ApplyExtrinsic(i) => Some(i),
				_ => None,
			}, event)
		})
		.collect())
}

/// The inference pallet's events of block `at`, with their extrinsic index.
pub fn inference_events(rpc: &Rpc, at: Hash) -> Result<Vec<(Option<u32>, InferenceEvent<sibyl_runtime::Runtime>)>, String> {
	Ok(events(rpc, at)?
		.into_iter()
		.filter_map(|(i, e)| match e {
			RuntimeEvent::Inference(ev) => Some((i, ev)),
			_ => None,
		})
		.collect())
}

/// The fee `who` paid for extrinsic `index` of block `at`.
pub fn fee_paid(rpc: &Rpc, at: Hash, index: u32, who: &AccountId) -> Result<Balance, String> {
	events(rpc, at)?
		.into_iter()
		.find_map(|(i, e)| match e {
			RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
				who: w,
				actual_fee,
				..
			}) if i == Some(index) && &w == who => Some(actual_fee),
			_ => None,
		})
		.ok_or_else(|| format!("no fee of {who} for extrinsic {index}"))
}

/// Waits until request `id`'s status at the best block satisfies `done`; returns it.
pub fn await_status(
	rpc: &Rpc,
	id: RequestId,
	what: &str,
	timeout: Duration,
	done: impl Fn(&RequestStatus<AccountId, u32>) -> bool,
) -> Result<RequestStatus<AccountId, u32>, String> {
	wait_for(&format!("request {id} to be {what}"), timeout, Duration::from_millis(300), || {
		let r = ask::request(rpc, id, None)?.ok_or_else(|| format!("request {id} is not stored"))?;
		Ok(done(&r.status).then_some(r.status))
	})
}

/// Waits for `xt` to be included (scanning from block `from`); returns the block's number, hash and the
/// extrinsic's index.
pub fn await_included(rpc: &Rpc, xt: &[u8], from: u32, timeout: Duration) -> Result<(u32, Hash, u32), String> {
	ask::find_inclusion(rpc, extrinsic_hash(xt), from, std::time::Instant::now() + timeout)
}

/// Every block from `from` to the best one, with the inference events of each.
pub fn scan(
	rpc: &Rpc,
	from: u32,
	to: u32,
) -> Result<Vec<(u32, Hash, Vec<(Option<u32>, InferenceEvent<sibyl_runtime::Runtime>)>)>, String> {
	let mut out = vec![];
	for n in from..=to {
		let h = rpc.block_hash(n)?.ok_or_else(|| format!("no block #{n}"))?;
		out.push((n, h, inference_events(rpc, h)?));
	}
	Ok(out)
}

/// What `sibyl-node engine run` prints for `tokens` and `max_new`: output tokens, final root, steps.
pub fn engine_run(bin: &Path, model: &Path, tokens: &[u32], max_new: u32) -> Result<(Vec<u32>, [u8; 32], u32), String> {
	let ids: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
	let out = Command::new(bin)
		.args(["engine", "run", "--quiet", "--threads", "1", "--max-new"])
		.arg(max_new.to_string())
		.arg("--model")
		.arg(model)
		.arg("--tokens")
		.arg(ids.join(","))
		.output()
		.map_err(|e| format!("engine run: {e}"))?;
	if !out.status.success() {
		return Err(format!("engine run failed: {}", String::from_utf8_lossy(&out.stderr)));
	}
	let text = String::from_utf8_lossy(&out.stdout);
	let field = |name: &str| -> Result<String, String> {
		text.lines()
			.find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
			.ok_or_else(|| format!("engine run printed no {name:?}: {text}"))
	};
	let output: Vec<u32> = field("output tokens:")?
		.trim_matches(|c| c == '[' || c == ']')
		.split(',')
		.filter(|s| !s.trim().is_empty())
		.map(|s| s.trim().parse::<u32>().map_err(|e| e.to_string()))
		.collect::<Result<_, _>>()?;
	let root_hex = field("final root:")?;
	let root_bytes = crate::rpc::unhex(&root_hex)?;
	let mut root = [0u8; 32];
	root.copy_from_slice(&root_bytes);
	let steps = field("steps:")?.parse::<u32>().map_err(|e| e.to_string())?;
	Ok((output, root, steps))
}


/// Waits for `xt` to be included (scanning from block `from`) and checks that it succeeded; returns the block's
/// number, hash and the extrinsic's index.
pub fn await_success(rpc: &Rpc, xt: &[u8], from: u32, timeout: Duration) -> Result<(u32, Hash, u32), String> {
	let (n, h, i) = await_included(rpc, xt, from, timeout)?;
	let failed = events(rpc, h)?.into_iter().find_map(|(j, e)| match e {
		RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) if j == Some(i) =>
			Some(ask::dispatch_error(&dispatch_error)),
		_ => None,
	});
	match failed {
		Some(e) => Err(format!("extrinsic {i} of block #{n} failed: {e}")),
		None => Ok((n, h, i)),
	}
}

/// The operator key of a development validator: `//<Name>//operator`.
pub fn operator_pair(validator: Sr25519Keyring) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("{}//operator", validator.to_seed()), None).expect("a valid derivation")
}

/// The operators of `validators` stop serving `model` (`serve = false`) or serve it again: each signs
/// `stop_serving` or `serve` with its operator key. Waits until every call has succeeded.
pub fn set_serving(
	rpc: &Rpc,
	ctx: &tx::ChainContext,
	validators: &[Sr25519Keyring],
	model: ModelId,
	serve: bool,
) -> Result<(), String> {
	let from = rpc.best_number()?;
	let mut sent = vec![];
	for v in validators {
		let pair = operator_pair(*v);
		let nonce = rpc.next_nonce(&pair.public().into())?;
		let call = RuntimeCall::Inference(match serve {
			true => pallet_inference::Call::serve { model },
			false => pallet_inference::Call::stop_serving { model },
		});
		let xt = tx::signed(ctx, &pair, nonce, call, None);
		rpc.submit(&xt)?.map_err(|e| format!("{v:?}'s operator: refused by the pool: {e}"))?;
		sent.push(xt);
	}
	for xt in sent {
		await_success(rpc, &xt, from + 1, Duration::from_secs(60))?;
	}
	Ok(())
}
