'use strict';
// The Platform API through the unmodified layer-api@2.3.3 package, with a Web SDK client of a
// participant watching live. layer-api always calls https://api.layer.com:443; this process
// wraps Node's https.request before requiring it, so that those calls go to the local relayer
// over plain HTTP (nothing in the package changes).

const https = require('node:https');
const http = require('node:http');
const crypto = require('node:crypto');
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, TEST_TIMEOUT_MS } = require('../lib/fixture');

let target = null;  // {port} of the server the current test started
const realHttpsRequest = https.request;
https.request = function redirected(options, ...rest) {
  if (!target || typeof options !== 'object' || options.host !== 'api.layer.com') {
    return realHttpsRequest.call(this, options, ...rest);
  }
  const { agent, ...plain } = options;  // an https.Agent cannot carry plain HTTP
  const req = http.request({ ...plain, host: '127.0.0.1', port: target.port }, ...rest);
  // layer-api writes its body once the socket is "authorized" (TLS); a loopback socket is as
  // good. This listener runs before the package's own, which is attached after we return.
  req.on('socket', (socket) => { socket.authorized = true; });
  return req;
};
const LayerAPI = require('layer-api');

function platform(server) {
  target = { port: server.port };
  return new LayerAPI({ token: server.platformToken, appId: server.appId });
}

async function rejects(promise, status) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, `expected HTTP ${status}: ${JSON.stringify(e.body)}`);
    return e;
  }
  assert.fail(`expected HTTP ${status}, the call succeeded`);
}

test('layer-api drives conversations, messages, identities, blocks and deletes', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, user } = await setup(t);
  const api = platform(server);
  const bob = await user('bob');

  const created = await api.conversations.createAsync({
    participants: ['alice', 'bob'], distinct: false, metadata: { topic: 'e2e' },
  });
  assert.equal(created.status, 201);
  const convId = created.body.id;
  assert.match(convId, /^layer:\/\/\/conversations\/[0-9a-f-]{36}$/);
  assert.deepEqual(created.body.participants, ['alice', 'bob'], 'no creator participant; user ids');
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === convId), {
    description: 'bob learns of the conversation the app created',
  });

  const fromAlice = await api.messages.sendTextFromUserAsync(convId, 'alice', 'hello from alice');
  assert.equal(fromAlice.status, 201);
  assert.equal(fromAlice.body.sender.user_id, 'alice');

  // A named service: the participant's SDK shows it by name, with no user.
  const mark = bob.mark();
  const fromBot = await api.messages.sendTextFromNameAsync(convId, 'Deploy Bot', 'build passed');
  assert.equal(fromBot.status, 201);
  assert.equal(fromBot.body.sender.user_id, null);
  assert.equal(fromBot.body.sender.name, 'Deploy Bot');
  const live = await bob.waitFor('messages:add', (e) => e.messages.some((m) => m.id === fromBot.body.id), {
    after: mark, description: 'the named-service message over the WebSocket',
  });
  const seen = live.messages.find((m) => m.id === fromBot.body.id);
  assert.equal(seen.sender.displayName, 'Deploy Bot');
  assert.ok(!seen.sender.userId, `no user id for a service sender (got ${seen.sender.userId})`);
  assert.equal(seen.parts[0].body, 'build passed');

  // Reads, as the app and per user.
  const all = await api.messages.getAllAsync(convId);
  assert.deepEqual(all.body.map((m) => m.id), [fromBot.body.id, fromAlice.body.id]);
  const one = await api.messages.getAsync(fromAlice.body.id, convId);
  assert.equal(one.body.parts[0].body, 'hello from alice');
  const bobsMessages = await api.messages.getAllFromUserAsync('bob', convId, { page_size: 1 });
  assert.equal(bobsMessages.body.length, 1, 'page_size is honoured');
  assert.equal(bobsMessages.body[0].id, fromBot.body.id);
  const bobsOne = await api.messages.getFromUserAsync('bob', fromAlice.body.id);
  assert.equal(bobsOne.body.id, fromAlice.body.id);
  const bobsConversations = await api.conversations.getAllFromUserAsync('bob');
  assert.deepEqual(bobsConversations.body.map((c) => c.id), [convId]);
  const bobsConversation = await api.conversations.getFromUserAsync('bob', convId);
  assert.equal(bobsConversation.body.unread_message_count >= 0, true);
  await rejects(api.conversations.getFromUserAsync('mallory', convId), 404);

  // Metadata and participants.
  assert.equal((await api.conversations.setMetadataPropertiesAsync(convId, { topic: 'changed', 'a.b': 'c' })).status, 204);
  let got = await api.conversations.getAsync(convId);
  assert.equal(got.body.metadata.topic, 'changed');
  assert.deepEqual(got.body.metadata.a, { b: 'c' });
  await api.conversations.deleteMetadataPropertiesAsync(convId, { 'a.b': true });
  assert.deepEqual((await api.conversations.getAsync(convId)).body.metadata.a, {});
  await api.conversations.addParticipantsAsync(convId, ['carol']);
  await api.conversations.removeParticipantsAsync(convId, ['alice']);
  got = await api.conversations.getAsync(convId);
  assert.deepEqual(got.body.participants, ['bob', 'carol']);
  await api.conversations.replaceParticipantsAsync(convId, ['bob', 'carol', 'dave']);
  got = await api.conversations.getAsync(convId);
  assert.deepEqual(got.body.participants, ['bob', 'carol', 'dave']);

  // Identities.
  assert.equal((await api.identities.createAsync('ann', { display_name: 'Ann', first_name: 'A' })).status, 201);
  assert.equal((await api.identities.getAsync('ann')).body.display_name, 'Ann');
  await api.identities.editAsync('ann', { last_name: 'Lee' });
  assert.equal((await api.identities.getAsync('ann')).body.last_name, 'Lee');
  await api.identities.replaceAsync('ann', { display_name: 'Annie' });
  const replaced = (await api.identities.getAsync('ann')).body;
  assert.equal(replaced.display_name, 'Annie');
  assert.equal(replaced.last_name, '');
  assert.equal((await api.identities.deleteAsync('ann')).status, 204);
  await rejects(api.identities.getAsync('ann'), 404);

  // Block list.
  assert.equal((await api.blocklist.blockAsync('bob', 'zed')).status, 204);
  assert.deepEqual((await api.blocklist.getAsync('bob')).body, [{ user_id: 'zed' }]);
  assert.equal((await api.blocklist.unblockAsync('bob', 'zed')).status, 204);
  assert.deepEqual((await api.blocklist.getAsync('bob')).body, []);

  // De-duplicated create: the retry answers with the first conversation.
  const key = crypto.randomUUID();
  const first = await api.conversations.createDedupeAsync(key, { participants: ['erin'], distinct: false });
  const retry = await api.conversations.createDedupeAsync(key, { participants: ['erin'], distinct: false });
  assert.equal(retry.body.id, first.body.id);
  assert.equal((await api.conversations.getAllFromUserAsync('erin')).body.length, 1);

  // Delete.
  assert.equal((await api.conversations.deleteAsync(convId)).status, 204);
  await rejects(api.conversations.getAsync(convId), 404);

  // A wrong token is refused.
  const wrong = new LayerAPI({ token: 'wrong', appId: server.appId });
  const err = await rejects(wrong.conversations.getAsync(first.body.id), 401);
  assert.equal(err.body.id, 'authentication_required');
});

test('an announcement reaches a Web SDK recipient live', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, user } = await setup(t);
  const api = platform(server);
  const bob = await user('bob');
  const mark = bob.mark();
  const sent = await api.announcements.sendAsync({
    recipients: ['bob', 'carol'],
    sender: { name: 'The Admins' },
    parts: [{ body: 'maintenance at noon', mime_type: 'text/plain' }],
    notification: { text: 'maintenance at noon' },
  });
  assert.equal(sent.status, 202);
  const id = sent.body.id;
  assert.match(id, /^layer:\/\/\/announcements\/[0-9a-f-]{36}$/);
  const live = await bob.waitFor('messages:add', (e) => e.messages.some((m) => m.id === id), {
    after: mark, description: 'the announcement over the WebSocket',
  });
  const seen = live.messages.find((m) => m.id === id);
  assert.equal(seen.sender.displayName, 'The Admins');
  assert.equal(seen.parts[0].body, 'maintenance at noon');
});

test('badge: external count and unread counts (plain HTTP: layer-api has no badge call)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server } = await setup(t);
  const api = platform(server);
  const conv = await api.conversations.createAsync({ participants: ['alice', 'bob'], distinct: false });
  await api.messages.sendTextFromUserAsync(conv.body.id, 'alice', 'one');
  await api.messages.sendTextFromUserAsync(conv.body.id, 'alice', 'two');
  const headers = {
    Accept: 'application/vnd.layer+json; version=1.1',
    Authorization: `Bearer ${server.platformToken}`,
    'Content-Type': 'application/json',
  };
  const url = `${server.url}/apps/${server.appUuid}/users/bob/badge`;
  const put = await fetch(url, { method: 'PUT', headers, body: JSON.stringify({ external_unread_count: 13 }) });
  assert.equal(put.status, 200);
  const badge = await (await fetch(url, { headers })).json();
  assert.deepEqual(badge, { external_unread_count: 13, unread_conversation_count: 1, unread_message_count: 2 });
});

test('an announcement and a service message sent while offline arrive by Event.replay', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, user } = await setup(t);
  const api = platform(server);
  const bob = await user('bob');
  const conv = await api.conversations.createAsync({ participants: ['alice', 'bob'], distinct: false });
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === conv.body.id), {
    description: 'the conversation',
  });
  const offlineMark = bob.mark();
  await bob.call('goOffline');
  await bob.waitFor('socket:disconnected', null, { after: offlineMark, description: 'its websocket closed' });
  const ann = await api.announcements.sendAsync({
    recipients: ['bob'], sender: { name: 'Ops' }, parts: [{ body: 'while you were away', mime_type: 'text/plain' }],
  });
  const msg = await api.messages.sendTextFromNameAsync(conv.body.id, 'Ops Bot', 'missed');
  const onlineMark = bob.mark();
  await bob.call('goOnline');
  for (const id of [ann.body.id, msg.body.id]) {
    const e = await bob.waitFor('messages:add', (x) => x.messages.some((m) => m.id === id), {
      after: onlineMark, description: `${id} by Event.replay`,
    });
    const m = e.messages.find((x) => x.id === id);
    assert.ok(['Ops', 'Ops Bot'].includes(m.sender.displayName), m.sender.displayName);
  }
});
