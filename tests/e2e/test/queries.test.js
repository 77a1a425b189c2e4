'use strict';
// Queries page through the server's lists: page_size, from_id and Layer-Count.

const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, TEST_TIMEOUT_MS } = require('../lib/fixture');

test('a conversation query pages through all conversations, newest first', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const created = [];
  for (let i = 0; i < 7; i++) {
    const { conversation } = await alice.call('createConversation', {
      participants: ['bob'], distinct: false, metadata: { n: String(i) },
    });
    created.push(conversation.id);
  }

  // Bob signs in afterwards: everything he sees comes from GET /conversations.
  const bob = await user('bob');
  let q = await bob.call('createQuery', { model: 'Conversation', paginationWindow: 3 });
  assert.equal(q.totalSize, 7, 'Layer-Count must hold the total number of conversations');
  assert.deepEqual(q.data.map((c) => c.id), created.slice(-3).reverse(), 'the first page holds the 3 newest');
  assert.equal(q.pagedToEnd, false);

  q = await bob.call('updateQuery', { queryId: q.id, paginationWindow: 6 });
  assert.deepEqual(q.data.map((c) => c.id), created.slice(1).reverse(), 'the second page continues from_id the last');

  q = await bob.call('updateQuery', { queryId: q.id, paginationWindow: 9 });
  assert.deepEqual(q.data.map((c) => c.id), [...created].reverse(), 'all 7, each once, newest first');
  assert.equal(q.pagedToEnd, true);
  assert.deepEqual(q.data.map((c) => c.metadata.n), ['6', '5', '4', '3', '2', '1', '0']);
  for (const c of q.data) assert.deepEqual(c.participants, ['alice', 'bob']);
});

test('a message query pages from the newest message back to the first', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { user } = await setup(t);
  const alice = await user('alice');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  const sent = [];
  for (let i = 0; i < 12; i++) {
    sent.push(await alice.call('sendMessage', { conversationId: conversation.id, parts: `m${i}` }));
  }

  const bob = await user('bob');
  const predicate = `conversation.id = '${conversation.id}'`;
  let q = await bob.call('createQuery', { model: 'Message', predicate, paginationWindow: 5 });
  assert.equal(q.totalSize, 12, 'Layer-Count must hold the number of messages in the conversation');
  assert.deepEqual(q.data.map((m) => m.parts[0].body), ['m11', 'm10', 'm9', 'm8', 'm7']);

  q = await bob.call('updateQuery', { queryId: q.id, paginationWindow: 10 });
  assert.deepEqual(q.data.map((m) => m.parts[0].body), ['m11', 'm10', 'm9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2']);

  q = await bob.call('updateQuery', { queryId: q.id, paginationWindow: 15 });
  assert.deepEqual(q.data.map((m) => m.id), sent.map((m) => m.id).reverse(), 'all 12, each once, newest first');
  assert.equal(q.pagedToEnd, true);
  for (let i = 1; i < q.data.length; i++) {
    assert.ok(q.data[i - 1].position > q.data[i].position, 'positions decrease down the list');
  }
  for (const m of q.data) assert.equal(m.sender.userId, 'alice');
});

test('a live query receives new conversations and messages from the websocket', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob] = await users('alice', 'bob');
  const convQuery = await bob.call('createQuery', { model: 'Conversation' });
  assert.equal(convQuery.totalSize, 0);
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  await bob.waitFor('query:change', (e) => e.queryId === convQuery.id && e.type === 'insert', {
    description: 'an insert into his conversation query',
  });
  const msgQuery = await bob.call('createQuery', { model: 'Message', predicate: `conversation.id = '${conversation.id}'` });
  const m = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'live' });
  await bob.waitFor('query:change', (e) => e.queryId === msgQuery.id && e.type === 'insert', {
    description: 'an insert into his message query',
  });
  const state = await bob.call('queryState', { queryId: msgQuery.id });
  assert.equal(state.data[0].id, m.id);
});
