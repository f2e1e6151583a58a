// polkadot.js against a running sibyl-node (dev chain, real SmolLM2): SmolLM2's revenue-share token is created
// by its owner, sold in an offering and settled; real requests pay the model's share into the token's pool;
// holders claim exactly their share, one burns and redeems, a grant from the treasury is voted and paid, and an
// answer is minted as an NFT that verifies against the request. Every amount is checked to the planck.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, blake2AsU8a } from '@polkadot/util-crypto';
import { connect, devNode, waitForRpc } from './node.js';

let node;
let api;

before(async () => {
  await cryptoWaitReady();
  node = await devNode();
  await waitForRpc(node.ws, node.log);
  api = await connect(node.ws);
});

after(async () => {
  if (api) await api.disconnect();
  if (node) await node.stop();
});

/** Signs and sends `tx`; resolves once in a block with its events, block hash and fee; rejects on an error. */
function send(tx, signer) {
  return sendWith(tx, signer, -1);
}

/** `send` with an explicit nonce (-1: the node's next one). */
function sendWith(tx, signer, nonce) {
  return new Promise((ok, fail) => {
    tx.signAndSend(signer, { nonce }, ({ status, events, dispatchError }) => {
      if (!status.isInBlock) return;
      if (dispatchError) {
        const why = dispatchError.isModule
          ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(dispatchError.asModule))
          : dispatchError.toString();
        return fail(new Error(`${tx.method.section}.${tx.method.method}: ${why}`));
      }
      const feeEv = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
      ok({ events, blockHash: status.asInBlock, fee: feeEv ? feeEv.event.data.actualFee.toBigInt() : 0n });
    }).catch(fail);
  });
}

/** The first event of `kind` among `events`. */
function find(events, kind) {
  const e = events.find(({ event }) => kind.is(event));
  assert.ok(e, `no ${kind.meta.name} event`);
  return e.event.data;
}

const head = async () => (await api.rpc.chain.getHeader()).number.toNumber();
async function waitFor(n) {
  while ((await head()) < n) await new Promise((ok) => setTimeout(ok, 500));
}
const free = async (who, at) => (await (at ? await api.at(at) : api).query.system.account(who)).data.free.toBigInt();

/** Submits requests of `who` (consecutive nonces, one block) and resolves with their ids and prompts. */
async function submit(who, texts, maxNew) {
  const root = (await api.call.inferenceApi.model(0)).unwrap().root.toHex();
  let nonce = (await api.rpc.system.accountNextIndex(who.address)).toNumber();
  return Promise.all(
    texts.map(async (text) => {
      const prompt = (await api.rpc.inference.tokenize(root, text, true)).map((t) => t.toNumber());
      const { events } = await sendWith(api.tx.inference.submit(0, prompt, maxNew, 0), who, nonce++);
      return { id: find(events, api.events.inference.RequestSubmitted).request.toBigInt(), prompt };
    }),
  );
}

/** Waits for request `id`'s final result at the finalized head; resolves with it and its block. */
async function finalResult(id) {
  for (;;) {
    const at = await api.at(await api.rpc.chain.getFinalizedHead());
    const r = await at.call.inferenceApi.finalResult(id);
    if (r.isSome) {
      const status = (await at.call.inferenceApi.request(id)).unwrap().status;
      return { result: r.unwrap(), finalAt: status.asFinalized.at.toNumber() };
    }
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

test('SmolLM2 revenue share: offering, revenue, exact claims, burn, grant, verified NFT', { timeout: 900000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 7341 });
  const [ferdie, bob, charlie, dave, eve] = ['//Ferdie', '//Bob', '//Charlie', '//Dave', '//Eve'].map((u) => keyring.addFromUri(u));
  const pot = new Uint8Array(32);
  pot.set(new TextEncoder().encode('modlsbl/rvsh'));
  const units = 10n ** 6n; // 6 decimals
  const supply = 1_000_000n * units;

  // 1. The model's owner creates its token: 60% of revenue to holders, 10% to the treasury, 30% backs burns.
  const created = await send(api.tx.revshare.createToken(0, 'SmolLM2 share', 'SMOL', 6, supply, 1, 600_000_000, 100_000_000), ferdie);
  assert.equal(find(created.events, api.events.revshare.TokenCreated).supply.toBigInt(), supply);

  // 2. Meanwhile, two real SmolLM2 requests (the model's share of their fees will go to the token's pool) and the
  // offering: 20% of the supply at 10 planck per unit, at least 1 SBL to raise.
  const potBefore = await free(pot);
  const eveBefore = await free(eve.address);
  const price = 10n;
  const start = (await head()) + 2;
  const end = start + 2;
  const ferdieBefore = await free(ferdie.address);
  const [asked, sale] = await Promise.all([
    submit(eve, ['What is the capital of France?', 'Name a prime number.'], 8),
    send(api.tx.revshare.createSale(0, price, 200_000n * units, 10n ** 12n, start, end, 0), ferdie),
  ]);
  await waitFor(start);
  const bobUnits = 100_000n * units; // 10% of the supply
  const charlieUnits = 50_000n * units;
  const [bobBuy, charlieBuy] = await Promise.all([
    send(api.tx.revshare.contribute(0, bobUnits), bob),
    send(api.tx.revshare.contribute(0, charlieUnits), charlie),
  ]);
  assert.equal(find(bobBuy.events, api.events.revshare.Contributed).paid.toBigInt(), bobUnits * price);
  assert.equal((await api.query.system.account(bob.address)).data.reserved.toBigInt(), bobUnits * price, "Bob's funds are held");
  await waitFor(end + 1);
  const settled = await send(api.tx.revshare.settleSale(0), dave);
  const decided = find(settled.events, api.events.revshare.SaleSettled);
  assert.ok(decided.succeeded.isTrue, 'the minimum was raised');
  assert.equal(decided.raised.toBigInt(), (bobUnits + charlieUnits) * price);
  await Promise.all([
    send(api.tx.revshare.settleContribution(0, bob.address), dave),
    send(api.tx.revshare.settleContribution(0, charlie.address), eve),
  ]);
  const holding = async (who) => api.call.revshareApi.holding(0, who);
  assert.equal((await holding(bob.address)).balance.toBigInt(), bobUnits);
  assert.equal((await holding(charlie.address)).balance.toBigInt(), charlieUnits);
  assert.equal((await api.query.system.account(bob.address)).data.reserved.toBigInt(), 0n);
  // The seller received exactly what was sold, less its own transaction fees.
  assert.equal((await free(ferdie.address)) - ferdieBefore, (bobUnits + charlieUnits) * price - sale.fee);

  // 3. The requests are answered and final: the model's share of each fee is in the token's pool.
  const answers = [];
  for (const a of asked) answers.push({ ...a, ...(await finalResult(a.id)) });
  let toModel = 0n;
  let feesPaid = 0n;
  for (const a of answers) {
    const evs = await (await api.at(await api.rpc.chain.getBlockHash(a.finalAt))).query.system.events();
    const fin = evs.find(({ event }) => api.events.inference.RequestFinalized.is(event) && event.data.request.toBigInt() === a.id);
    assert.ok(fin, `request ${a.id} finalized at #${a.finalAt}`);
    toModel += fin.event.data.toModel.toBigInt();
    feesPaid += fin.event.data.fee.toBigInt();
  }
  const token = (await api.call.revshareApi.token(0)).unwrap();
  assert.equal(token.received.toBigInt(), toModel, 'every share of a fee was received');
  assert.equal((await free(pot)) - potBefore, toModel, "and sits in the pallet's account");

  // 4. A snapshot (anyone) makes 60% of it claimable: Bob, with 10% of the supply, claims a tenth, to the planck.
  const snap = find((await send(api.tx.revshare.snapshot(0), dave)).events, api.events.revshare.Snapshot);
  const pending = token.pending.toBigInt();
  const claimable = (pending * 600_000_000n) / 1_000_000_000n;
  assert.equal(snap.claimable.toBigInt(), claimable);
  const bobShare = (claimable * bobUnits) / supply;
  assert.equal((await holding(bob.address)).claimable.toBigInt(), bobShare);
  // Bob claims, Charlie burns half his units and Ferdie proposes a grant of half the treasury to Dave, at once.
  const treasury = token.pending.toBigInt() * 100_000_000n / 1_000_000_000n;
  const burnUnits = charlieUnits / 2n;
  const view = (await api.call.revshareApi.token(0)).unwrap();
  assert.equal(view.treasury.toBigInt(), treasury);
  const expected = (await api.call.revshareApi.redeemableOnBurn(0, burnUnits)).toBigInt();
  assert.equal(expected, (view.redeemable.toBigInt() * burnUnits) / view.supply.toBigInt());
  const [bobBefore, charlieBefore] = [await free(bob.address), await free(charlie.address)];
  const [claim, burn, proposal] = await Promise.all([
    send(api.tx.revshare.claim(0), bob),
    send(api.tx.revshare.burn(0, burnUnits), charlie),
    send(api.tx.revshare.proposeGrant(0, dave.address, treasury / 2n, blake2AsU8a('a GPU for the model')), ferdie),
  ]);
  assert.equal(find(claim.events, api.events.revshare.Claimed).amount.toBigInt(), bobShare);
  assert.equal((await free(bob.address, claim.blockHash)) - bobBefore, bobShare - claim.fee);
  console.log(
    `# revenue path: Eve paid ${feesPaid} planck of fees (${eveBefore - (await free(eve.address))} with transaction fees); ` +
      `the model received ${toModel}; a 10% holder claimed ${bobShare} (= floor(60% x ${toModel} / 10))`,
  );

  // 5. Charlie received his burned units' share of what backs burns.
  assert.equal(find(burn.events, api.events.revshare.Burned).redeemed.toBigInt(), expected);
  assert.equal((await free(charlie.address, burn.blockHash)) - charlieBefore, expected - burn.fee);
  assert.equal((await api.call.revshareApi.token(0)).unwrap().supply.toBigInt(), supply - burnUnits);

  // 6. The grant: voted by Bob and Ferdie (Bob with his 10%, as held when it was proposed), closed and paid.
  const proposed = find(proposal.events, api.events.revshare.GrantProposed);
  const grant = proposed.grant.toNumber();
  const [bobVote] = await Promise.all([send(api.tx.revshare.vote(grant, true), bob), send(api.tx.revshare.vote(grant, true), ferdie)]);
  assert.equal(find(bobVote.events, api.events.revshare.Voted).weight.toBigInt(), bobUnits);
  await waitFor(proposed.end.toNumber() + 1);
  const daveBefore = await free(dave.address);
  const closed = await send(api.tx.revshare.closeGrant(grant), dave);
  const outcome = find(closed.events, api.events.revshare.GrantClosed);
  assert.ok(outcome.status.isPaid, `grant ${outcome.status.type}`);
  assert.equal((await free(dave.address, closed.blockHash)) - daveBefore, treasury / 2n - closed.fee);

  // 7. Eve mints her first answer as an NFT: item <request id> of model 0's collection; it verifies.
  const [first] = answers;
  const minted = find((await send(api.tx.aigc.mint(first.id), eve)).events, api.events.aigc.Minted);
  assert.equal(minted.request.toBigInt(), first.id);
  const item = (await api.query.nfts.item(0, first.id)).unwrap();
  assert.equal(item.owner.toString(), eve.address);
  const output = first.result.output.map((t) => t.toNumber());
  assert.ok((await api.call.aigcApi.verify(first.id, first.prompt, output)).isTrue, 'the answer verifies');
  const forged = [...output];
  forged[0] += 1;
  assert.ok((await api.call.aigcApi.verify(first.id, first.prompt, forged)).isFalse, 'a changed answer does not');
  const record = (await api.call.aigcApi.record(first.id)).unwrap();
  assert.equal(record[0].finalRoot.toHex(), first.result.finalRoot.toHex());
});
