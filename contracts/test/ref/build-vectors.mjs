#!/usr/bin/env node
// Independent JavaScript reference for the bridge encodings: builds test vectors in the JSON schema
// of contracts/README.md ("Test vectors") from first principles (SCALE by hand, secp256k1 with
// BigInt, binary_merkle_tree and the MMR as perfect trees + bagging), so that the Solidity tests can
// check the contracts against an implementation that shares no code with them.
//
//   node test/ref/build-vectors.mjs            # writes test/vectors/js-reference-*.json
//
// Test keys only: the nonces are deterministic but NOT RFC 6979, never use this to sign anything real.
import { createRequire } from "node:module";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { keccak256 } = require("js-sha3");

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "vectors");

// ------------------------------------------------------------------ bytes

const hex = (b) => "0x" + Buffer.from(b).toString("hex");
const unhex = (h) => Buffer.from(h.replace(/^0x/, ""), "hex");
const keccak = (...parts) => Buffer.from(keccak256.arrayBuffer(Buffer.concat(parts.map((p) => Buffer.from(p)))));
const le = (value, n) => {
  const b = Buffer.alloc(n);
  let v = BigInt(value);
  for (let i = 0; i < n; i++) { b[i] = Number(v & 0xffn); v >>= 8n; }
  if (v !== 0n) throw new Error("le: overflow");
  return b;
};
const be32 = (value) => { const b = Buffer.alloc(32); let v = BigInt(value); for (let i = 31; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n; } return b; };
const compact = (n) => {
  if (n < 64) return Buffer.from([n << 2]);
  if (n < 1 << 14) return le((n << 2) | 1, 2);
  if (n < 1 << 30) return le((n << 2) | 2, 4);
  throw new Error("compact: too big");
};

// ------------------------------------------------------------------ secp256k1

const P = 2n ** 256n - 2n ** 32n - 977n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const G = [0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n, 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n];
const mod = (a, m = P) => ((a % m) + m) % m;
const powmod = (b, e, m) => { let r = 1n; b = mod(b, m); while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; } return r; };
const inv = (a, m = P) => powmod(a, m - 2n, m);
const add = (p, q) => {
  if (p === null) return q;
  if (q === null) return p;
  if (p[0] === q[0] && mod(p[1] + q[1]) === 0n) return null;
  const l = p[0] === q[0] ? mod(3n * p[0] * p[0] * inv(2n * p[1])) : mod((q[1] - p[1]) * inv(q[0] - p[0]));
  const x = mod(l * l - p[0] - q[0]);
  return [x, mod(l * (p[0] - x) - p[1])];
};
const mul = (k, p = G) => { let r = null; let a = p; while (k > 0n) { if (k & 1n) r = add(r, a); a = add(a, a); k >>= 1n; } return r; };
const toBig = (b) => BigInt(hex(b));

function keyFrom(label) {
  const d = (toBig(keccak(Buffer.from(label))) % (N - 1n)) + 1n;
  const pub = mul(d);
  const address = keccak(be32(pub[0]), be32(pub[1])).subarray(12);
  return { d, address };
}

/// Substrate-style signature of a 32-byte digest: r ‖ s ‖ v with v the recovery id (0/1), low s.
function sign(d, digest) {
  const z = toBig(digest);
  const k = (toBig(keccak(be32(d), digest, Buffer.from("nonce"))) % (N - 1n)) + 1n;
  const R = mul(k);
  const r = R[0] % N;
  let s = mod(inv(k, N) * (z + r * d), N);
  let v = Number(R[1] & 1n) | (R[0] >= N ? 2 : 0);
  if (s > N / 2n) { s = N - s; v ^= 1; }
  return Buffer.concat([be32(r), be32(s), Buffer.from([v])]);
}

// ------------------------------------------------------------------ binary_merkle_tree

/// merkelize: rows of (a, b) -> keccak(a ‖ b), an odd last node moves up unchanged.
function merkleRows(leafHashes) {
  const rows = [leafHashes];
  while (rows[rows.length - 1].length > 1) {
    const row = rows[rows.length - 1];
    const next = [];
    for (let i = 0; i < row.length; i += 2) next.push(i + 1 < row.length ? keccak(row[i], row[i + 1]) : row[i]);
    rows.push(next);
  }
  return rows;
}
const merkleRoot = (leafHashes) => (leafHashes.length === 0 ? Buffer.alloc(32) : merkleRows(leafHashes).at(-1)[0]);
function merkleProof(leafHashes, index) {
  const proof = [];
  let position = index;
  for (const row of merkleRows(leafHashes).slice(0, -1)) {
    if (position % 2 === 1) proof.push(row[position - 1]);
    else if (position + 1 < row.length) proof.push(row[position + 1]);
    position = Math.floor(position / 2);
  }
  return proof;
}

// ------------------------------------------------------------------ MMR (perfect trees + bagging)

function perfectRoot(hashes) { let row = hashes; while (row.length > 1) { const n = []; for (let i = 0; i < row.length; i += 2) n.push(keccak(row[i], row[i + 1])); row = n; } return row[0]; }
function perfectPath(hashes, index) { const out = []; let row = hashes; let i = index; while (row.length > 1) { out.push(row[i ^ 1]); const n = []; for (let j = 0; j < row.length; j += 2) n.push(keccak(row[j], row[j + 1])); row = n; i >>= 1; } return out; }
function mmrPeaks(leafHashes) {
  const peaks = []; let start = 0;
  for (let h = 63; h >= 0; h--) {
    const size = 2 ** h;
    if (Math.floor(leafHashes.length / size) % 2 === 1) { peaks.push({ start, size }); start += size; }
  }
  return peaks;
}
const bag = (hashes) => { let acc = hashes[hashes.length - 1]; for (let i = hashes.length - 2; i >= 0; i--) acc = keccak(acc, hashes[i]); return acc; };
const mmrRoot = (leafHashes) => bag(mmrPeaks(leafHashes).map((p) => perfectRoot(leafHashes.slice(p.start, p.start + p.size))));
function mmrProof(leafHashes, index) {
  const peaks = mmrPeaks(leafHashes);
  const roots = peaks.map((p) => perfectRoot(leafHashes.slice(p.start, p.start + p.size)));
  const k = peaks.findIndex((p) => index >= p.start && index < p.start + p.size);
  const items = [...roots.slice(0, k), ...perfectPath(leafHashes.slice(peaks[k].start, peaks[k].start + peaks[k].size), index - peaks[k].start)];
  if (k + 1 < roots.length) items.push(bag(roots.slice(k + 1)));
  return items;
}

// ------------------------------------------------------------------ ABI (the few shapes used)

const word = (v) => be32(v);
const abiBytesTail = (b) => Buffer.concat([word(b.length), b, Buffer.alloc((32 - (b.length % 32)) % 32)]);
const messageLeaf = (m) => Buffer.concat([word(m.nonce), word(m.kind), word(96), abiBytesTail(m.body)]);
const addressWord = (a) => Buffer.concat([Buffer.alloc(12), a]);
const resultBody = (ethId, sibylId, modelId, tokens, root) =>
  Buffer.concat([word(ethId), word(sibylId), word(modelId), word(160), root, word(tokens.length), ...tokens.map(word)]);
const mintBody = (modelId, recipient, amount) => Buffer.concat([word(modelId), addressWord(recipient), word(amount)]);
const refundBody = (ethId) => word(ethId);

// ------------------------------------------------------------------ SCALE

const encodeCommitment = (mmrRoot, blockNumber, setId) =>
  Buffer.concat([compact(1), Buffer.from("mh"), compact(32), mmrRoot, le(blockNumber, 4), le(setId, 8)]);
const encodeLeaf = (l) =>
  Buffer.concat([Buffer.from([l.version]), le(l.parentNumber, 4), l.parentHash, le(l.next.id, 8), le(l.next.len, 4), l.next.root, l.leafExtra]);

// ------------------------------------------------------------------ a small chain

function validators(id, n) {
  const keys = Array.from({ length: n }, (_, i) => keyFrom(`js reference validator ${id} ${i}`));
  const hashes = keys.map((k) => keccak(k.address));
  return { id, len: n, keys, root: merkleRoot(hashes), hashes };
}
const set0 = validators(0, 5);
const set1 = validators(1, 5);
const set2 = validators(2, 4);
const SESSION1 = 10; // first block of set 1: its leaf already carries set 2 as the next set
const recipient = keyFrom("js reference recipient").address;

const blockMessages = {
  7: [
    { nonce: 1, kind: 1, body: mintBody(5, recipient, 1000n) },
    { nonce: 2, kind: 0, body: resultBody(1, 42, 5, [101, 7, 65535, 0, 42], keccak(Buffer.from("final state"))) },
    { nonce: 3, kind: 2, body: refundBody(2) },
  ],
  11: [{ nonce: 4, kind: 1, body: mintBody(5, recipient, 1n) }],
};
const leaves = [];
for (let b = 1; b <= 12; b++) {
  const msgs = blockMessages[b] || [];
  const next = b < SESSION1 ? set1 : set2;
  leaves.push({
    version: 0,
    parentNumber: b - 1,
    parentHash: keccak(Buffer.from(`js reference block ${b - 1}`)),
    next: { id: next.id, len: next.len, root: next.root },
    leafExtra: merkleRoot(msgs.map((m) => keccak(messageLeaf(m)))),
  });
}
const leafHashes = leaves.map((l) => keccak(encodeLeaf(l)));

const setJson = (s) => ({ id: s.id, len: s.len, root: hex(s.root), addresses: s.keys.map((k) => hex(k.address)) });

function vector(name, description, signers, signerIndices, blockNumber, leafBlock) {
  const root = mmrRoot(leafHashes.slice(0, blockNumber));
  const encoded = encodeCommitment(root, blockNumber, signers.id);
  const digest = keccak(encoded);
  const leaf = leaves[leafBlock - 1];
  const msgs = blockMessages[leafBlock] || [];
  const msgHashes = msgs.map((m) => keccak(messageLeaf(m)));
  return {
    name,
    description,
    validatorSet: setJson(set0), // the light client state before the commitment
    nextValidatorSet: setJson(set1),
    commitment: {
      mmrRoot: hex(root),
      blockNumber,
      validatorSetId: signers.id,
      encoded: hex(encoded),
      hash: hex(digest),
      signatures: signerIndices.map((i) => ({
        index: i,
        signature: hex(sign(signers.keys[i].d, digest)),
        proof: merkleProof(signers.hashes, i).map(hex),
      })),
    },
    mmrLeaf: {
      version: leaf.version,
      parentNumber: leaf.parentNumber,
      parentHash: hex(leaf.parentHash),
      nextAuthoritySetId: leaf.next.id,
      nextAuthoritySetLen: leaf.next.len,
      nextAuthoritySetRoot: hex(leaf.next.root),
      leafExtra: hex(leaf.leafExtra),
      encoded: hex(encodeLeaf(leaf)),
      hash: hex(leafHashes[leafBlock - 1]),
      leafIndex: leafBlock - 1,
      leafCount: blockNumber,
      items: mmrProof(leafHashes.slice(0, blockNumber), leafBlock - 1).map(hex),
      mmrRoot: hex(root),
    },
    messages: msgs.map((m, i) => ({
      nonce: m.nonce,
      kind: m.kind,
      body: hex(m.body),
      encoded: hex(messageLeaf(m)),
      index: i,
      count: msgs.length,
      items: merkleProof(msgHashes, i).map(hex),
    })),
  };
}

mkdirSync(outDir, { recursive: true });
const outputs = [
  vector("js-reference-current", "Set 0 signs block 9 (4 of 5); leaf of block 7 with a mint, a result and a refund.", set0, [0, 1, 3, 4], 9, 7),
  vector("js-reference-handover", "Set 1 signs block 11 (handover); the leaf of block 11 announces set 2 and carries one mint.", set1, [0, 2, 3, 4], 11, 11),
];
for (const v of outputs) {
  writeFileSync(join(outDir, `${v.name}.json`), JSON.stringify(v, null, 2) + "\n");
  console.log(`wrote test/vectors/${v.name}.json`);
}
