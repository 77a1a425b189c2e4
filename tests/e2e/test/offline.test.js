'use strict';
// A client that goes offline misses messages and catches up on reconnect
// through Event.replay, acknowledging delivery of what it missed.

const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, sleep, TEST_TIMEOUT_MS } = require('../lib/fixture');

test('a client that was offline catches up on reconnect', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === conversation.id), {
    description: 'the new conversation',
  });
  const before = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'before' });
  await bob.waitFor('messages:add', (e) => e.messages.some((m) => m.id === before.id), { description: 'the first message' });

  const offlineMark = bob.mark();
  await bob.call('goOffline');
  await bob.waitFor('socket:disconnected', null, { after: offlineMark, description: 'its websocket closed' });

  const missed = [];
  for (let i = 0; i < 3; i++) {
    missed.push(await alice.call('sendMessage', { conversationId: conversation.id, parts: `missed ${i}` }));
  }
  await sleep(300);
  const whileOffline = bob.events('messages:add', offlineMark).flatMap((e) => e.messages.map((m) => m.id));
  assert.deepEqual(whileOffline.filter((id) => missed.some((m) => m.id === id)), [],
    'bob received messages while offline: the harness did not take him offline');

  const onlineMark = bob.mark();
  await bob.call('goOnline');
  await bob.waitFor('socket:connected', null, { after: onlineMark, description: 'its websocket reopened' });
  for (const m of missed) {
    await bob.waitFor('messages:add', (e) => e.messages.some((x) => x.id === m.id), {
      after: onlineMark, description: `the missed message "${m.parts[0].body}" (Event.replay)`,
    });
  }
  const replayed = bob.events('messages:add', onlineMark).flatMap((e) => e.messages)
    .filter((m) => missed.some((x) => x.id === m.id));
  assert.deepEqual(replayed.map((m) => m.parts[0].body), ['missed 0', 'missed 1', 'missed 2'],
    'the missed messages arrive once each, in order');
  for (const m of replayed) assert.equal(m.sender.userId, 'alice');

  // Bob's SDK acknowledges what it caught up on.
  for (const m of missed) {
    await alice.waitFor('messages:change', (e) => e.message.id === m.id && e.message.deliveryStatus === 'ALL', {
      description: `delivery receipt for "${m.parts[0].body}"`,
    });
  }

  // And the live feed works again.
  const liveMark = bob.mark();
  const after = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'after' });
  await bob.waitFor('messages:add', (e) => e.messages.some((m) => m.id === after.id), {
    after: liveMark, description: 'a message sent after the reconnect',
  });
});

test('changes to a conversation made while a client was offline are replayed', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: false });
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === conversation.id), {
    description: 'the new conversation',
  });
  const offlineMark = bob.mark();
  await bob.call('goOffline');
  await bob.waitFor('socket:disconnected', null, { after: offlineMark });

  await alice.call('setMetadata', { conversationId: conversation.id, properties: { title: 'Renamed' } });
  await alice.call('addParticipants', { conversationId: conversation.id, participants: ['dave'] });
  await sleep(300);

  const onlineMark = bob.mark();
  await bob.call('goOnline');
  const changed = await bob.waitFor('conversations:change', (e) => e.conversation.id === conversation.id
    && e.conversation.participants.includes('dave') && e.conversation.metadata.title === 'Renamed', {
    after: onlineMark, description: 'the title and participant changes made while offline',
  });
  assert.deepEqual(changed.conversation.participants, ['alice', 'bob', 'dave']);
});
