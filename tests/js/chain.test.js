// polkadot.js (the client wallets use) against a running sibyl-node: chain properties, metadata, balances,
// an Alice -> Bob transfer to finality, and a question to the inference oracle: tokenize, quote, request, wait
// for the final result, detokenize.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, devNode, waitForRpc } from './node.js';

let node;
let api;

before(async () => {
  await cryptoWaitReady();
  node = await devNode();
  // The node takes a moment to open its RPC port.
  await waitForRpc(node.ws, node.log);
  api = await connect(node.ws);
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
  for (const pallet of ['system', 'timestamp', 'aura', 'grandpa', 'balances', 'transactionPayment', 'sudo', 'inference']) {
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

test('genesis endows the development accounts, bonds the operator and registers SmolLM2', async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 7341 });
  const unit = 10n ** 12n;
  const endowment = 1_000_000n * unit;
  const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
  const uris = names.flatMap((n) => [`//${n}`, `//${n}//stash`]);
  const atGenesis = await api.at(await api.rpc.chain.getBlockHash(0));
  // Ferdie owns the model (its deposit is held); Alice's operator key has its bond held.
  const held = { '//Ferdie': 100n * unit, '//Alice//operator': 1_000n * unit };
  for (const uri of [...uris, '//Alice//operator']) {
    const { address } = keyring.addFromUri(uri);
    const { data, nonce, providers } = await atGenesis.query.system.account(address);
    const h = held[uri] ?? 0n;
    assert.equal(data.free.toBigInt(), endowment - h, `${uri} free`);
    assert.equal(data.reserved.toBigInt(), h, `${uri} held`);
    assert.equal(nonce.toNumber(), 0, `${uri} nonce`);
    assert.equal(providers.toNumber(), 1, `${uri} providers`);
  }
  // Nobody else holds anything but the existential deposits of the protocol account and of the revenue-share
  // pallet's account (`modl` ++ its pallet id, zero-padded), which receives the revenue of models with a token.
  const ed = api.consts.balances.existentialDeposit.toBigInt();
  const pot = new Uint8Array(32);
  pot.set(new TextEncoder().encode('modlsbl/rvsh'));
  assert.equal((await atGenesis.query.system.account(pot)).data.free.toBigInt(), ed);
  // The Ethereum bridge's account (the settlement pallet's `eth-requests` sub-account), which pays Sibyl's fee for
  // requests made on Ethereum, is endowed like a development account.
  const bridge = new Uint8Array(32);
  bridge.set(new TextEncoder().encode('modlsbl/sttleth-requests'));
  assert.equal((await atGenesis.query.system.account(bridge)).data.free.toBigInt(), endowment);
  assert.equal((await atGenesis.query.balances.totalIssuance()).toBigInt(), BigInt(uris.length + 2) * endowment + 2n * ed);
  const stranger = keyring.addFromUri('//Sibyl//js//stranger');
  assert.equal((await atGenesis.query.system.account(stranger.address)).data.free.toBigInt(), 0n);
  // Addresses are shown with Sibyl's prefix.
  const alice = keyring.addFromUri('//Alice');
  assert.equal(api.createType('AccountId', alice.publicKey).toString(), alice.address);
  // SmolLM2-135M-Instruct is model 0, served by Alice's operator.
  const model = (await atGenesis.call.inferenceApi.model(0)).unwrap();
  assert.equal(model.root.toHex(), '0x233cff8e455314b035a207062bf8fa75436c465cfe6f0d5376e47dee1ebb4691');
  assert.equal(Buffer.from(model.name.toU8a(true)).toString(), 'SmolLM2-135M-Instruct');
  assert.equal(model.operators.toNumber(), 1);
  assert.equal((await atGenesis.call.inferenceApi.modelByRoot(model.root)).unwrap().toNumber(), 0);
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

test('ask SmolLM2 a question: tokenize, quote, request, final result, detokenize', { timeout: 240000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 7341 });
  const alice = keyring.addFromUri('//Alice');
  const model = (await api.call.inferenceApi.model(0)).unwrap();
  const root = model.root.toHex();
  const prompt = await api.rpc.inference.tokenize(root, 'What is 2 + 2?', true);
  assert.ok(prompt.length > 5, 'the chat template wraps the question');
  const maxNew = 8;
  const quote = (await api.call.inferenceApi.quote(0, maxNew, 0)).asOk;
  assert.equal(quote.total.toBigInt(), model.feeBase.toBigInt() + BigInt(maxNew) * model.feePerToken.toBigInt());

  const id = await new Promise((ok, fail) => {
    api.tx.inference
      .submit(0, prompt, maxNew, 0)
      .signAndSend(alice, ({ status, events, dispatchError }) => {
        if (dispatchError) return fail(new Error(`dispatch error: ${dispatchError.toString()}`));
        if (status.isInBlock) {
          const ev = events.find(({ event }) => api.events.inference.RequestSubmitted.is(event));
          if (ev) ok(ev.event.data.request.toBigInt());
        }
      })
      .catch(fail);
  });

  // The result is read only where it is final: at the finalized head.
  const result = await new Promise((ok, fail) => {
    let unsub;
    api.rpc.chain
      .subscribeFinalizedHeads(async (header) => {
        try {
          const at = await api.at(header.hash);
          const r = await at.call.inferenceApi.finalResult(id);
          if (r.isSome) {
            if (unsub) unsub();
            ok(r.unwrap());
          }
        } catch (e) {
          fail(e);
        }
      })
      .then((u) => { unsub = u; })
      .catch(fail);
  });
  const output = result.output.map((t) => t.toNumber());
  assert.ok(output.length >= 1 && output.length <= maxNew);
  const fee = model.feeBase.toBigInt() + BigInt(output.length) * model.feePerToken.toBigInt();
  assert.equal(result.feePaid.toBigInt(), fee);
  const text = (await api.rpc.inference.detokenize(root, output)).toString();
  assert.ok(text.length > 0, 'an answer in words');
  const request = (await api.call.inferenceApi.request(id)).unwrap();
  assert.ok(request.status.isFinalized, `status ${request.status.type}`);
  console.log(`# SmolLM2 answered "${text}" (${output.length} tokens, fee ${fee})`);
});
