'use strict';
// Conversations through the SDK: distinct create, the same pair from the other
// side, a race, metadata mismatch, and participant changes seen by everyone.

const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, TEST_TIMEOUT_MS } = require('../lib/fixture');

const sameMembers = (list) => (c) => JSON.stringify(c.participants) === JSON.stringify([...list].sort());

test('a distinct conversation created again from the other side is the same conversation', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const created = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  assert.equal(created.result, 'Created');
  assert.match(created.conversation.id, /^layer:\/\/\/conversations\/[0-9a-f-]{36}$/);
  assert.deepEqual(created.conversation.participants, ['alice', 'bob'], 'the creator is always a participant');
  assert.equal(created.conversation.distinct, true);

  // Bob signs in afterwards, so his SDK has no cached copy and must ask the server.
  const bob = await user('bob');
  const again = await bob.call('createConversation', { participants: ['alice'], distinct: true });
  assert.equal(again.conversation.id, created.conversation.id,
    'Conversation.create of an existing distinct participant set must return the existing conversation');
  assert.equal(again.result, 'Found', 'the SDK reports Found when the server returns another id');
  assert.deepEqual(again.conversation.participants, ['alice', 'bob']);
});

test('a distinct conversation found with different metadata is reported as FoundMismatch', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const created = await alice.call('createConversation', {
    participants: ['carol'], distinct: true, metadata: { topic: 'lunch' },
  });
  const carol = await user('carol');
  const again = await carol.call('createConversation', {
    participants: ['alice'], distinct: true, metadata: { topic: 'dinner' },
  });
  assert.equal(again.conversation.id, created.conversation.id, 'a metadata mismatch still returns the existing conversation');
  assert.equal(again.result, 'FoundMismatch', 'Conversation.create with other metadata must fail with `conflict` carrying the existing conversation');
  assert.deepEqual(again.conversation.metadata, { topic: 'lunch' });
});

test('two clients racing to create the same distinct conversation end with one conversation', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const [a, b] = await Promise.all([
    alice.call('createConversation', { participants: ['bob'], distinct: true }),
    bob.call('createConversation', { participants: ['alice'], distinct: true }),
  ]);
  assert.equal(a.conversation.id, b.conversation.id, 'both sides must end with the same conversation id');
  assert.deepEqual(a.conversation.participants, ['alice', 'bob']);
  assert.deepEqual(b.conversation.participants, ['alice', 'bob']);
});

test('the other participant learns of a new conversation by a create event', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: false, metadata: { title: 'Plans' } });
  const added = await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === conversation.id), {
    description: `conversations:add for ${conversation.id}`,
  });
  const seen = added.conversations.find((c) => c.id === conversation.id);
  assert.deepEqual(seen.participants, ['alice', 'bob']);
  assert.equal(seen.distinct, false);
  assert.deepEqual(seen.metadata, { title: 'Plans' });
});

test('participants added and removed are seen by everyone and clear distinct', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const id = conversation.id;
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === id), {
    description: 'the new conversation',
  });

  // Add carol.
  const marks = [alice.mark(), bob.mark(), carol.mark()];
  await alice.call('addParticipants', { conversationId: id, participants: ['carol'] });
  const three = ['alice', 'bob', 'carol'];
  const bobSees = await bob.waitFor('conversations:change',
    (e) => e.conversation.id === id && sameMembers(three)(e.conversation), {
      after: marks[1], description: 'carol added to the participants',
    });
  assert.equal(bobSees.conversation.distinct, false, 'adding a participant must set distinct to false');
  // Carol was not a participant before: she needs the whole conversation (a create event).
  const carolSees = await carol.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === id), {
    after: marks[2], description: 'conversations:add for the conversation she was added to',
  });
  const forCarol = carolSees.conversations.find((c) => c.id === id);
  assert.deepEqual(forCarol.participants, three);
  assert.equal(forCarol.distinct, false);
  // Alice's own copy must agree with the server's.
  const aliceCopy = await alice.call('getConversation', { id });
  assert.deepEqual(aliceCopy.participants, three);

  // Remove bob.
  const marks2 = [alice.mark(), bob.mark(), carol.mark()];
  await alice.call('removeParticipants', { conversationId: id, participants: ['bob'] });
  const two = ['alice', 'carol'];
  await carol.waitFor('conversations:change', (e) => e.conversation.id === id && sameMembers(two)(e.conversation), {
    after: marks2[2], description: 'bob removed from the participants',
  });
  // Bob either sees himself removed or the conversation deleted from his devices.
  await Promise.any([
    bob.waitFor('conversations:change', (e) => e.conversation.id === id && !e.conversation.participants.includes('bob'), { after: marks2[1] }),
    bob.waitFor('conversations:delete', (e) => e.id === id, { after: marks2[1] }),
    bob.waitFor('conversations:remove', (e) => e.conversations.includes(id), { after: marks2[1] }),
  ]).catch(() => assert.fail(`bob never learned he was removed from ${id}: ${bob.recentEvents()}`));
  const fromServer = await carol.call('getConversation', { id });
  assert.deepEqual(fromServer.participants, two);
  assert.equal(fromServer.distinct, false);
});
