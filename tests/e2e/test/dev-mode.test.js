'use strict';
// The README's first command runs `relayer serve --dev`: it must create a development app, print
// it, sign identity tokens for demos (POST /dev/identity_tokens and `relayer token`), and keep the
// same app across restarts. Without --dev the signer does not exist.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { relayerBinary } = require('../lib/server');

const ACCEPT = 'application/vnd.layer+json; version=2.0';

async function startDev(dataDir) {
  const child = spawn(relayerBinary(), ['serve', '--dev', '--data', dataDir, '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /relayer: listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${out}`)); });
  });
  const stop = () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
  return { port, out, stop };
}

async function call(port, method, urlPath, body, token) {
  const headers = { accept: ACCEPT, 'content-type': 'application/json' };
  if (token) headers.authorization = `Layer session-token="${token}"`;
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

test('serve --dev creates and prints a development app whose tokens log users in', { timeout: 30000 }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relayer-dev-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const first = await startDev(root);
  const app = JSON.parse(fs.readFileSync(path.join(root, 'dev', 'app.json'), 'utf8'));
  assert.match(first.out, /Created the development app/);
  assert.ok(first.out.includes(app.app_id.split('/').pop()), 'the app id is printed');
  assert.ok(first.out.includes(app.platform_token), 'the platform token is printed');

  // POST /dev/identity_tokens signs for a nonce; the token opens a session.
  const nonce = (await call(first.port, 'POST', '/nonces')).json.nonce;
  const signed = await call(first.port, 'POST', '/dev/identity_tokens', { user_id: 'alice', nonce, display_name: 'Alice' });
  assert.equal(signed.status, 201);
  const session = await call(first.port, 'POST', '/sessions', { identity_token: signed.json.identity_token, app_id: app.app_id });
  assert.equal(session.status, 201, JSON.stringify(session.json));
  const me = await call(first.port, 'GET', '/identities/alice', undefined, session.json.session_token);
  assert.equal(me.json.display_name, 'Alice');
  await first.stop();

  // A restart reuses the app; `relayer token` signs with the same key.
  const second = await startDev(root);
  t.after(() => second.stop());
  assert.match(second.out, /Using the development app/);
  const nonce2 = (await call(second.port, 'POST', '/nonces')).json.nonce;
  const token = execFileSync(relayerBinary(), ['token', '--data', root, '--user', 'bob', '--nonce', nonce2]).toString().trim();
  const session2 = await call(second.port, 'POST', '/sessions', { identity_token: token, app_id: app.app_id });
  assert.equal(session2.status, 201, JSON.stringify(session2.json));
  // The old session survived the restart.
  const again = await call(second.port, 'GET', '/identities/alice', undefined, session.json.session_token);
  assert.equal(again.status, 200);
});

test('without --dev there is no token signer', { timeout: 30000 }, async (t) => {
  const { startServer } = require('../lib/server');
  const server = await startServer();
  t.after(() => server.stop());
  const res = await server.request('POST', '/dev/identity_tokens', { body: { user_id: 'mallory', nonce: 'x' } });
  assert.equal(res.status, 404);
  assert.equal(res.json.id, 'invalid_endpoint');
});
