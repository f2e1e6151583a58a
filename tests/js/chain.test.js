// polkadot.js (the client wallets use) against a running sibyl-node: chain properties, metadata, balances,
// and an Alice -> Bob transfer to finality.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { devNode, waitForRpc } from './node.js';

let node;
let api;

before(async () => {
  await cryptoWaitReady();
  node = await devNode();
  // The node takes a moment to open its RPC port.
  await waitForRpc(node.ws, node.log);
  api = await ApiPromise.create({ provider: new WsProvider(node.ws), throwOnConnect: true, noInitWarn: true });
});

after(async () => {
  if (api) await api.disconnect();
  if (node) await node.stop();
});

test('chain properties: symbol, decimals and SS58 prefix', async () => {
  const props = await api.rpc.system.properties();
  assert.deepEqual(props.tokenSymbol.unwrap().map(String), ['SBL']);
  assert.deepEqual(props.tokenDecimals.unwrap().map((d) => d.toNumber()), [12]);
  assert.equal(props.ss58Format.unwrap().toNumber(), 7341);
  assert.equal(api.registry.chainSS58, 7341);
  assert.deepEqual(api.registry.chainTokens, ['SBL']);
  assert.equal((await api.rpc.system.chain()).toString(), 'Sibyl Development');
});

test('metadata describes the runtime', async () => {
  assert.ok(api.runtimeMetadata.version >= 14, `metadata v${api.runtimeMetadata.version}`);
  assert.equal(api.runtimeVersion.specName.toString(), 'sibyl');
  for (const pallet of ['system', 'timestamp', 'aura', 'grandpa', 'balances', 'transactionPayment', 'sudo']) {
    assert.ok(api.query[pallet] || api.tx[pallet], `pallet ${pallet} missing from metadata`);
  }
  assert.equal(typeof api.tx.balances.transferKeepAlive, 'function');
  const ext = api.registry.metadata.extrinsic.transactionExtensions ?? api.registry.metadata.extrinsic.signedExtensions;
  const ids = ext.map((e) => e.identifier.toString());
  // Only Substrate's standard extensions, all of which polkadot.js (and so every wallet built on it) knows.
  assert.deepEqual(ids, [
    'CheckNonZeroSender', 'CheckSpecVersion', 'CheckTxVersion', 'CheckGenesis', 'CheckMortality', 'CheckNonce',
    'CheckWeight', 'ChargeTransactionPayment', 'CheckMetadataHash', 'WeightReclaim',
  ]);
  assert.equal(api.consts.balances.existentialDeposit.toBigInt(), 10n ** 9n);
});

test('genesis endows each development account with exactly 1,000,000 SBL and nonce 0', async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 7341 });
  const endowment = 1_000_000n * 10n ** 12n;
  const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
  const uris = names.flatMap((n) => [`//${n}`, `//${n}//stash`]);
  const atGenesis = await api.at(await api.rpc.chain.getBlockHash(0));
  for (const uri of uris) {
    const { address } = keyring.addFromUri(uri);
    const { data, nonce, providers } = await atGenesis.query.system.account(address);
    assert.equal(data.free.toBigInt(), endowment, `${uri} free`);
    assert.equal(data.reserved.toBigInt(), 0n, `${uri} reserved`);
    assert.equal(nonce.toNumber(), 0, `${uri} nonce`);
    assert.equal(providers.toNumber(), 1, `${uri} providers`);
  }
  // Nobody else holds anything: the total issuance is exactly the twelve endowments.
  assert.equal((await atGenesis.query.balances.totalIssuance()).toBigInt(), BigInt(uris.length) * endowment);
  const stranger = keyring.addFromUri('//Sibyl//js//stranger');
  assert.equal((await atGenesis.query.system.account(stranger.address)).data.free.toBigInt(), 0n);
  // Addresses are shown with Sibyl's prefix.
  const alice = keyring.addFromUri('//Alice');
  assert.equal(api.createType('AccountId', alice.publicKey).toString(), alice.address);
});

test('Alice -> Bob transfer is finalized and balances change by amount + fee', { timeout: 180000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 7341 });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const amount = 5n * 10n ** 12n + 123n;

  const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
  const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();

  const { blockHash, events } = await new Promise((ok, fail) => {
    let unsub;
    api.tx.balances
      .transferKeepAlive(bob.address, amount)
      .signAndSend(alice, (result) => {
        if (result.dispatchError) {
          fail(new Error(`dispatch error: ${result.dispatchError.toString()}`));
        } else if (result.isFinalized) {
          if (unsub) unsub();
          ok({ blockHash: result.status.asFinalized, events: result.events });
        } else if (result.isError) {
          fail(new Error(`transaction failed: ${result.status.toString()}`));
        }
      })
      .then((u) => { unsub = u; })
      .catch(fail);
  });

  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)), 'ExtrinsicSuccess');
  const feeEvent = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  assert.ok(feeEvent, 'TransactionFeePaid event');
  const fee = feeEvent.event.data.actualFee.toBigInt();
  assert.ok(fee > 0n);

  const at = await api.at(blockHash);
  const aliceAfter = (await at.query.system.account(alice.address)).data.free.toBigInt();
  const bobAfter = (await at.query.system.account(bob.address)).data.free.toBigInt();
  // Nothing else moves Alice's or Bob's funds on a fresh dev chain.
  assert.equal(aliceBefore - aliceAfter, amount + fee);
  assert.equal(bobAfter - bobBefore, amount);
  // The block is final: it is the finalized head or an ancestor of it.
  const finalized = await api.rpc.chain.getFinalizedHead();
  const finNum = (await api.rpc.chain.getHeader(finalized)).number.toNumber();
  const blockNum = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  assert.ok(finNum >= blockNum);
  assert.equal((await api.rpc.chain.getBlockHash(blockNum)).toHex(), blockHash.toHex());
});
