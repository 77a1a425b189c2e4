'use strict';
// Messages through the SDK: multi-part content, automatic delivery receipts,
// read receipts, and the sender's readStatus/deliveryStatus.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { setup, TEST_TIMEOUT_MS } = require('../lib/fixture');

const LOCATION = 'application/vnd.relayer.location+json';

function receivedBy(client, messageId, { after = 0, description } = {}) {
  return client.waitFor('messages:add', (e) => e.messages.some((m) => m.id === messageId), {
    after, description: description || `messages:add for ${messageId}`,
  }).then((e) => e.messages.find((m) => m.id === messageId));
}

test('a multi-part message arrives with its sender and parts in order', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const bob = await user('bob');
  // Use the profile the SDK gets from the token (the fixture's default).
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const location = { lat: 52.52, lng: 13.405, label: 'Café "Mitte" ✓' };
  const mark = bob.mark();
  const sent = await alice.call('sendMessage', {
    conversationId: conversation.id,
    parts: [
      { mimeType: 'text/plain', body: 'Meet me here 👋' },
      { mimeType: LOCATION, body: JSON.stringify(location) },
    ],
    notification: { text: 'alice: Meet me here', sound: 'chime.aiff' },
  });
  assert.equal(sent.isSaved, true);
  assert.match(sent.id, /^layer:\/\/\/messages\/[0-9a-f-]{36}$/);

  const got = await receivedBy(bob, sent.id, { after: mark });
  assert.equal(got.conversationId, conversation.id);
  assert.equal(got.sender.userId, 'alice');
  assert.equal(got.sender.id, 'layer:///identities/alice');
  assert.equal(got.sender.displayName, 'User alice', 'the sender carries the display_name of her identity token');
  assert.equal(got.parts.length, 2);
  assert.equal(got.parts[0].mimeType, 'text/plain');
  assert.equal(got.parts[0].body, 'Meet me here 👋');
  assert.equal(got.parts[1].mimeType, LOCATION);
  // The SDK sends a non-textual part base64-encoded; it must come back with encoding "base64".
  let body;
  try { body = JSON.parse(got.parts[1].body); } catch (e) {
    assert.fail(`the ${LOCATION} part did not decode to its JSON body (was its encoding kept?): ${got.parts[1].body}`);
  }
  assert.deepEqual(body, location);
  assert.equal(got.parts[0].id, `${sent.id}/parts/0`, 'part ids are <message id>/parts/<n>');
  assert.equal(got.parts[1].id, `${sent.id}/parts/1`);
  assert.equal(got.position, sent.position, 'both sides agree on the position');
  assert.equal(got.isRead, false, 'a received message starts unread');
});

test('messages keep their order and positions grow', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const mark = bob.mark();
  const sent = [];
  for (let i = 0; i < 5; i++) {
    sent.push(await alice.call('sendMessage', { conversationId: conversation.id, parts: `message ${i}` }));
  }
  for (let i = 1; i < sent.length; i++) {
    assert.ok(sent[i].position > sent[i - 1].position, `position ${sent[i].position} after ${sent[i - 1].position}`);
  }
  for (const m of sent) await receivedBy(bob, m.id, { after: mark });
  const order = bob.events('messages:add', mark).flatMap((e) => e.messages).map((m) => m.parts[0].body);
  assert.deepEqual(order, sent.map((_, i) => `message ${i}`), 'bob receives them in the order they were sent');
});

test('delivery and read receipts move readStatus and deliveryStatus from NONE to SOME to ALL', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const bob = await user('bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob', 'carol'], distinct: false });
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === conversation.id), {
    description: 'the conversation (needed before a message can be marked read)',
  });

  // Carol is not signed in yet, so only bob's SDK can acknowledge delivery at first.
  const aliceMark = alice.mark();
  const bobMark = bob.mark();
  const sent = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'receipts please' });
  assert.equal(sent.readStatus, 'NONE');
  assert.equal(sent.recipientStatus['layer:///identities/alice'], 'read', 'the sender counts as read');

  const statusOf = (pred, description) => alice.waitFor('messages:change',
    (e) => e.message.id === sent.id && pred(e.message), { after: aliceMark, description });

  // Bob's SDK posts a delivery receipt by itself when the message arrives.
  await receivedBy(bob, sent.id, { after: bobMark });
  let m = (await statusOf((x) => x.deliveryStatus === 'SOME', 'deliveryStatus SOME after bob\'s automatic delivery receipt')).message;
  assert.equal(m.recipientStatus['layer:///identities/bob'], 'delivered');
  assert.equal(m.readStatus, 'NONE');

  // Carol signs in later and loads the conversation's messages; her SDK acknowledges delivery too.
  const carol = await user('carol');
  const carolQuery = await carol.call('createQuery', { model: 'Message', predicate: `conversation.id = '${conversation.id}'` });
  assert.ok(carolQuery.data.some((x) => x.id === sent.id), 'carol\'s message query holds the message');
  m = (await statusOf((x) => x.deliveryStatus === 'ALL', 'deliveryStatus ALL after carol\'s delivery receipt')).message;
  assert.equal(m.readStatus, 'NONE');

  // Bob reads it.
  const bobChange = bob.waitFor('messages:change', (e) => e.message.id === sent.id
    && e.changes.some((c) => c.property === 'isRead' && c.newValue === true), { after: bobMark, description: 'isRead = true' });
  await bob.call('markRead', { messageId: sent.id });
  await bobChange;
  m = (await statusOf((x) => x.readStatus === 'SOME', 'readStatus SOME after bob read it')).message;
  assert.equal(m.recipientStatus['layer:///identities/bob'], 'read');
  assert.equal(m.deliveryStatus, 'ALL');

  // Carol reads it.
  await carol.call('markRead', { messageId: sent.id });
  m = (await statusOf((x) => x.readStatus === 'ALL', 'readStatus ALL after carol read it')).message;
  assert.deepEqual(m.recipientStatus, {
    'layer:///identities/alice': 'read',
    'layer:///identities/bob': 'read',
    'layer:///identities/carol': 'read',
  });

  // The sequence alice saw never went backwards.
  const rank = { NONE: 0, SOME: 1, ALL: 2 };
  const seen = alice.events('messages:change', aliceMark).filter((e) => e.message.id === sent.id).map((e) => e.message);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(rank[seen[i].deliveryStatus] >= rank[seen[i - 1].deliveryStatus], 'deliveryStatus went backwards');
    assert.ok(rank[seen[i].readStatus] >= rank[seen[i - 1].readStatus], 'readStatus went backwards');
  }
  const readSteps = [...new Set([sent.readStatus, ...seen.map((x) => x.readStatus)])];
  assert.deepEqual(readSteps, ['NONE', 'SOME', 'ALL']);
  const deliverySteps = [...new Set([sent.deliveryStatus, ...seen.map((x) => x.deliveryStatus)])];
  assert.deepEqual(deliverySteps, ['NONE', 'SOME', 'ALL']);
});

test('a read receipt lowers the reader\'s unread count', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const mark = bob.mark();
  const sent = [];
  for (let i = 0; i < 3; i++) sent.push(await alice.call('sendMessage', { conversationId: conversation.id, parts: `n${i}` }));
  for (const m of sent) await receivedBy(bob, m.id, { after: mark });

  const uuid = conversation.id.split('/').pop();
  const unread = async () => {
    const res = await server.request('GET', `/conversations/${uuid}`, { sessionToken: bob.sessionToken });
    assert.equal(res.status, 200, `GET /conversations/${uuid}: ${res.status} ${res.text}`);
    return res.json.unread_message_count;
  };
  assert.equal(await unread(), 3);
  await bob.call('markRead', { messageId: sent[0].id });
  await alice.waitFor('messages:change', (e) => e.message.id === sent[0].id && e.message.readStatus === 'ALL', {
    description: 'bob\'s read receipt',
  });
  assert.equal(await unread(), 2);
});

test('a part over 2 KB goes up as rich content and the receiver downloads it', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const image = crypto.randomBytes(100 * 1024);
  const mark = bob.mark();
  const sent = await alice.call('sendMessage', {
    conversationId: conversation.id,
    parts: [{ mimeType: 'text/plain', body: 'see attachment' }, { mimeType: 'image/png', base64: image.toString('base64') }],
  }, 15000);
  assert.equal(sent.parts[1].hasContent, true, 'the SDK should have uploaded the big part (POST /content, PUT upload_url)');

  const got = await receivedBy(bob, sent.id, { after: mark });
  assert.equal(got.parts[0].body, 'see attachment');
  assert.equal(got.parts[1].mimeType, 'image/png');
  assert.equal(got.parts[1].hasContent, true, 'the receiver sees the part as content {id, download_url, ...}');
  assert.equal(got.parts[1].id, `${sent.id}/parts/1`);
  const body = await bob.call('fetchContent', { messageId: sent.id, index: 1, binary: true });
  const downloaded = Buffer.from(body, 'base64');
  assert.equal(downloaded.length, image.length);
  assert.ok(downloaded.equals(image), 'the downloaded bytes are what alice uploaded');
});

test('a text part over 2 KB goes up as rich content and comes back as the same text', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const big = Array.from({ length: 400 }, (_, i) => `line ${i}: ünïcödé ✓`).join('\n');
  assert.ok(Buffer.byteLength(big) > 2048);
  const mark = bob.mark();
  const sent = await alice.call('sendMessage', {
    conversationId: conversation.id,
    parts: [{ mimeType: 'text/plain', body: 'see attachment' }, { mimeType: 'text/plain', body: big }],
  }, 15000);
  assert.equal(sent.parts[1].hasContent, true, 'the SDK should have uploaded the big part (POST /content, PUT upload_url)');

  const got = await receivedBy(bob, sent.id, { after: mark });
  assert.equal(got.parts[0].body, 'see attachment');
  assert.equal(got.parts[1].hasContent, true, 'the receiver sees the part as content {id, download_url, ...}');
  assert.equal(got.parts[1].id, `${sent.id}/parts/1`);
  const body = await bob.call('fetchContent', { messageId: sent.id, index: 1 });
  assert.equal(body, big, 'the downloaded content is what alice uploaded');
});
