'use strict';
// Authentication as the Web SDK does it: POST /nonces, the `challenge` event
// answered with an RS256 identity token, POST /sessions, then the websocket.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { setup, TEST_TIMEOUT_MS } = require('../lib/fixture');

test('REST answers are JSON the SDK can parse (Content-Type application/json)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server } = await setup(t);
  const res = await server.request('POST', '/nonces');
  assert.equal(res.status, 201, `POST /nonces: ${res.status} ${res.text}`);
  // layer-websdk's xhr parses a body only when Content-Type starts with application/json;
  // otherwise `nonce` is undefined and the SDK never emits `challenge`.
  assert.match(res.headers.get('content-type') || '', /^application\/json/,
    'the SDK ignores JSON bodies unless Content-Type starts with application/json');
  assert.equal(typeof res.json.nonce, 'string');
});

test('the SDK signs in through its challenge event and loads its own identity', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { client } = await setup(t);
  const alice = await client('alice', { profile: { display_name: 'Alice Liddell', first_name: 'Alice' } });

  const { user, sessionToken } = await alice.connect();

  const [challenge] = alice.events('challenge');
  assert.ok(challenge, 'the SDK never emitted `challenge` (POST /nonces must answer 201 {nonce})');
  assert.equal(typeof challenge.nonce, 'string');
  assert.ok(challenge.nonce.length > 0, 'the nonce is empty');
  assert.ok(sessionToken, 'no session token after POST /sessions');
  assert.equal(user.userId, 'alice');
  assert.equal(user.id, 'layer:///identities/alice');
  // The SDK replaces its copy with GET /identities/alice: display_name must come from the token.
  assert.equal(user.displayName, 'Alice Liddell',
    'GET /identities/alice must return the display_name claim of the identity token');
});

test('a token signed with an unregistered key is refused and the SDK reports authenticated-error', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, client } = await setup(t);
  const mallory = await client('mallory', { autoAnswer: false });
  const challengeSeen = mallory.waitFor('challenge');
  const connecting = mallory.connect().then(() => 'ready', (err) => err);
  const { nonce } = await challengeSeen;

  const { privateKey: otherKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forged = server.identity.sign({ userId: 'mallory', nonce, key: otherKey });
  await mallory.call('answerChallenge', { identityToken: forged });

  const result = await connecting;
  assert.ok(result instanceof Error, 'the SDK became ready with a forged identity token');
  assert.match(result.message, /authenticated-error/);
  const [{ error }] = mallory.events('authenticated-error');
  assert.equal(error.httpStatus, 422, `POST /sessions with a bad signature: expected 422, got ${JSON.stringify(error)}`);
});

test('a nonce is single use: a second session from the same nonce is refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server } = await setup(t);
  const nonceRes = await server.request('POST', '/nonces');
  assert.equal(nonceRes.status, 201, `POST /nonces: ${nonceRes.status} ${nonceRes.text}`);
  const token = server.identity.sign({ userId: 'alice', nonce: nonceRes.json.nonce });
  const first = await server.request('POST', '/sessions', { body: { identity_token: token, app_id: server.appId } });
  assert.equal(first.status, 201, `first POST /sessions: ${first.status} ${first.text}`);
  const second = await server.request('POST', '/sessions', { body: { identity_token: token, app_id: server.appId } });
  assert.equal(second.status, 422, `replayed nonce: expected 422, got ${second.status} ${second.text}`);
});

test('after its session is deleted the SDK is challenged again and re-authenticates by itself', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, client } = await setup(t);
  const alice = await client('alice');
  const { sessionToken } = await alice.connect();

  const del = await server.request('DELETE', `/sessions/${encodeURIComponent(sessionToken)}`, { sessionToken });
  assert.equal(del.status, 204, `DELETE /sessions/TOKEN: ${del.status} ${del.text}`);

  const mark = alice.mark();
  // Any request now gets 401 with a fresh data.nonce; the SDK must re-run the challenge.
  const query = alice.call('createQuery', { model: 'Conversation' }, 15000).catch((err) => err);
  await alice.waitFor('deauthenticated', null, { after: mark, description: 'deauthenticated after a 401' });
  await alice.waitFor('challenge', null, { after: mark, description: 'a second challenge (401 must carry data.nonce)' });
  await alice.waitFor('ready', null, { after: mark, description: 'ready again after re-authentication' });
  const state = await alice.call('state');
  assert.equal(state.isAuthenticated, true);
  const q = await query;
  assert.ok(!(q instanceof Error), `the query failed: ${q && q.message}`);
});

test('the websocket opens with the session and its first packet has counter 0', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const packet = await alice.waitFor('socket:packet', null, {
    description: 'any websocket packet (the SDK sends Presence.subscribe on open)',
  });
  assert.equal(packet.counter, 0, 'the first packet on a connection must have counter 0');
  assert.equal(packet.type, 'response');
});
