// Starts a `sibyl-node --dev` for the tests, unless SIBYL_WS points at a running node.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';

const here = dirname(fileURLToPath(import.meta.url));

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function nodeBinary() {
  if (process.env.SIBYL_NODE) return process.env.SIBYL_NODE;
  const target = process.env.CARGO_TARGET_DIR || join(process.env.HOME, '.cache/sibyl/target');
  const bin = resolve(target, 'release/sibyl-node');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build the node first or set SIBYL_NODE`);
  return bin;
}

/** Waits until the node at `ws` answers `system_health` over HTTP (same port). As long as the Rust harness waits
 * (240 s): under `make test` five networks start beside this node on two cores, each compiling the runtime. */
export async function waitForRpc(ws, log, timeoutMs = 240000) {
  const url = ws.replace(/^ws/, 'http');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
      });
      if (r.ok) return;
    } catch (_) {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no node at ${ws} after ${timeoutMs} ms\n${log().slice(-3000)}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

/** Returns { ws, stop(), log() } for a running node. */
export async function devNode() {
  if (process.env.SIBYL_WS) return { ws: process.env.SIBYL_WS, stop: async () => {}, log: () => '' };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-js-'));
  const logPath = join(dir, 'node.log');
  const out = openSync(logPath, 'a');
  const child = spawn(nodeBinary(), [
    '--dev', '--base-path', join(dir, 'db'), '--rpc-port', String(port), '--no-prometheus',
    '--no-telemetry', '--no-mdns', '--port', String(await freePort()),
  ], { stdio: ['ignore', out, out] });
  const stop = () => new Promise((ok) => {
    if (child.exitCode !== null) return ok();
    child.once('exit', () => ok());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15000).unref();
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return { ws: `ws://127.0.0.1:${port}`, stop, log: () => readFileSync(logPath, 'utf8') };
}

/** A polkadot.js API for the node at `ws`, with the node's own RPC methods (runtime APIs come from the metadata). */
export function connect(ws) {
  return ApiPromise.create({
    provider: new WsProvider(ws),
    throwOnConnect: true,
    noInitWarn: true,
    rpc: {
      inference: {
        tokenize: {
          description: 'Token ids of a text for a model, with its chat template',
          params: [{ name: 'model', type: 'H256' }, { name: 'text', type: 'Text' }, { name: 'chat', type: 'bool' }],
          type: 'Vec<u32>',
        },
        detokenize: {
          description: 'Text of token ids for a model',
          params: [{ name: 'model', type: 'H256' }, { name: 'ids', type: 'Vec<u32>' }],
          type: 'Text',
        },
      },
    },
  });
}

export const repoRoot = resolve(here, '../..');
