//! Random sequences of everything (register, bond, serve, unbond, withdraw, submit, cancel, propose, disputes,
//! slashes, missed deadlines, finalization, pruning): the books balance after every block (`try_state`, in
//! `next_block`), no planck is created or lost, and once every request has ended nothing is held for any.

use frame_support::{
	storage::with_storage_layer,
	traits::fungible::InspectHold,
};
use proptest::prelude::*;

use super::*;
use crate::{traits::ResultDisputes, HoldReason, NextRequestId};

const ACCOUNTS: [AccountId; 9] = [OWNER, REVENUE, ALICE, BOB, OP_A, OP_B, OP_C, OP_D, OP_E];

#[derive(Clone, Debug)]
enum Op {
	Submit { who: usize, prompt: u32, max_new: u32, tip: u64 },
	Cancel { who: usize, req: u64 },
	Propose { req: u64, tokens: u32 },
	ProposeAs { who: usize, req: u64 },
	Dispute { req: u64 },
	Uphold { req: u64 },
	Reject { req: u64, to: usize },
	Bond { who: usize, amount: u64 },
	Serve { who: usize },
	StopServing { who: usize },
	Unbond { who: usize },
	Withdraw { who: usize },
	Slash { who: usize, amount: u64, to: Option<usize> },
	Fees { base: u64, per_token: u64 },
	Blocks(u8),
}

fn op() -> impl Strategy<Value = Op> {
	let who = 0..ACCOUNTS.len();
	let req = 0u64..24;
	prop_oneof![
		4 => (who.clone(), 0u32..12, 0u32..10, 0u64..30).prop_map(|(who, prompt, max_new, tip)| Op::Submit { who, prompt, max_new, tip }),
		1 => (who.clone(), req.clone()).prop_map(|(who, req)| Op::Cancel { who, req }),
		4 => (req.clone(), 0u32..10).prop_map(|(req, tokens)| Op::Propose { req, tokens }),
		1 => (who.clone(), req.clone()).prop_map(|(who, req)| Op::ProposeAs { who, req }),
		1 => req.clone().prop_map(|req| Op::Dispute { req }),
		1 => req.clone().prop_map(|req| Op::Uphold { req }),
		1 => (req.clone(), who.clone()).prop_map(|(req, to)| Op::Reject { req, to }),
		1 => (who.clone(), 0u64..2_000).prop_map(|(who, amount)| Op::Bond { who, amount }),
		1 => who.clone().prop_map(|who| Op::Serve { who }),
		1 => who.clone().prop_map(|who| Op::StopServing { who }),
		1 => who.clone().prop_map(|who| Op::Unbond { who }),
		1 => who.clone().prop_map(|who| Op::Withdraw { who }),
		1 => (who.clone(), 0u64..700, proptest::option::of(who.clone())).prop_map(|(who, amount, to)| Op::Slash { who, amount, to }),
		1 => (0u64..200, 0u64..50).prop_map(|(base, per_token)| Op::Fees { base, per_token }),
		3 => (1u8..4).prop_map(Op::Blocks),
	]
}

fn everyone_total() -> Balance {
	ACCOUNTS.iter().chain([PROTOCOL, 77].iter()).map(|a| total(*a)).sum()
}

fn apply(op: &Op, burned: &mut Balance) {
	let o = |i: usize| RuntimeOrigin::signed(ACCOUNTS[i]);
	let _ = match op.clone() {
		Op::Submit { who, prompt: n, max_new, tip } => Inference::submit(o(who), 0, prompt(n), max_new, tip),
		Op::Cancel { who, req } => Inference::cancel(o(who), req),
		Op::Propose { req, tokens } => match crate::Requests::<Test>::get(req).map(|r| r.status) {
			Some(RequestStatus::Assigned { operator, .. }) =>
				Inference::propose(RuntimeOrigin::signed(operator), req, prompt(tokens), [req as u8; 32], 9),
			_ => Ok(().into()),
		},
		Op::ProposeAs { who, req } => Inference::propose(o(who), req, vec![1], [0; 32], 1),
		Op::Dispute { req } => with_storage_layer(|| <Inference as ResultDisputes<_, _, _>>::open_dispute(req)).map(Into::into),
		Op::Uphold { req } => with_storage_layer(|| <Inference as ResultDisputes<_, _, _>>::uphold(req)).map(Into::into),
		Op::Reject { req, to } =>
			with_storage_layer(|| <Inference as ResultDisputes<_, _, _>>::reject(req, &ACCOUNTS[to])).map(|_| ().into()),
		Op::Bond { who, amount } => Inference::bond(o(who), amount),
		Op::Serve { who } => Inference::serve(o(who), 0),
		Op::StopServing { who } => Inference::stop_serving(o(who), 0),
		Op::Unbond { who } => Inference::unbond(o(who)),
		Op::Withdraw { who } => Inference::withdraw(o(who)),
		Op::Slash { who, amount, to } => {
			let taken = <Inference as ResultDisputes<_, _, _>>::slash_operator(
				&ACCOUNTS[who],
				amount,
				to.map(|t| &ACCOUNTS[t]),
			);
			if to.is_none() {
				*burned += taken;
			}
			Ok(().into())
		},
		Op::Fees { base, per_token } => Inference::set_model_fees(RuntimeOrigin::signed(OWNER), 0, base, per_token),
		Op::Blocks(n) => {
			for _ in 0..n {
				next_block();
			}
			Ok(().into())
		},
	};
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
	#[test]
	fn holds_are_released_exactly_once_and_nothing_is_created_or_lost(ops in proptest::collection::vec(op(), 1..60)) {
		new_test_ext().execute_with(|| {
			let start_total = everyone_total();
			let issuance = Balances::total_issuance();
			let mut burned = 0;
			for op in &ops {
				apply(op, &mut burned);
				prop_assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()), "books after {:?}", op);
				prop_assert_eq!(everyone_total() + burned, start_total, "money after {:?}", op);
			}
			// Settle every open game, then let every deadline, window and retention run out.
			for id in 0..NextRequestId::<Test>::get() {
				while matches!(crate::Requests::<Test>::get(id).map(|r| r.status), Some(RequestStatus::Disputed { .. })) {
					prop_assert!(<Inference as ResultDisputes<_, _, _>>::uphold(id).is_ok());
				}
			}
			run_to(System::block_number() + 4 * (TIMEOUT + 1) + WINDOW + RETENTION + 2);
			prop_assert_eq!(everyone_total() + burned, start_total);
			prop_assert_eq!(Balances::total_issuance() + burned, issuance);
			for a in ACCOUNTS {
				prop_assert_eq!(Balances::balance_on_hold(&HoldReason::RequestFee.into(), &a), 0);
				prop_assert_eq!(Balances::balance_on_hold(&HoldReason::ResultBond.into(), &a), 0);
			}
			prop_assert_eq!(crate::Requests::<Test>::iter().count(), 0, "every ended request pruned");
			Ok(())
		})?;
	}
}
