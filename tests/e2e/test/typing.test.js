'use strict';
// Typing indicators: websocket signals relayed to the other participants.

const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, sleep, TEST_TIMEOUT_MS } = require('../lib/fixture');

test('typing started, paused and finished reach the other participants', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob, carol] = await users('alice', 'bob', 'carol');
  const { conversation } = await alice.call('createConversation', { participants: ['bob', 'carol'], distinct: false });
  const id = conversation.id;
  await Promise.all([bob, carol].map((c) => c.waitFor('conversations:add',
    (e) => e.conversations.some((x) => x.id === id), { description: 'the new conversation' })));

  const marks = [alice.mark(), bob.mark(), carol.mark()];
  await alice.call('typing', { conversationId: id, state: 'started' });
  for (const [c, i] of [[bob, 1], [carol, 2]]) {
    const evt = await c.waitFor('typing-indicator-change', (e) => e.conversationId === id && e.typing.includes('alice'), {
      after: marks[i], description: 'alice typing (a relayed signal with data.sender)',
    });
    assert.deepEqual(evt.typing, ['alice']);
    assert.deepEqual(evt.paused, []);
  }

  await alice.call('typing', { conversationId: id, state: 'paused' });
  const paused = await bob.waitFor('typing-indicator-change', (e) => e.conversationId === id && e.paused.includes('alice'), {
    after: marks[1], description: 'alice paused',
  });
  assert.deepEqual(paused.typing, []);

  const finishedMark = bob.mark();
  await alice.call('typing', { conversationId: id, state: 'finished' });
  await bob.waitFor('typing-indicator-change', (e) => e.conversationId === id
    && e.typing.length === 0 && e.paused.length === 0, { after: finishedMark, description: 'alice finished' });

  // Bob types back; alice sees him, and nobody sees their own signals.
  await bob.call('typing', { conversationId: id, state: 'started' });
  await alice.waitFor('typing-indicator-change', (e) => e.conversationId === id && e.typing.includes('bob'), {
    after: marks[0], description: 'bob typing',
  });
  await sleep(200);
  assert.ok(!alice.events('typing-indicator-change', marks[0]).some((e) => e.typing.includes('alice') || e.paused.includes('alice')),
    'alice received her own typing signal');
  assert.ok(!bob.events('typing-indicator-change', marks[1]).some((e) => e.typing.includes('bob')),
    'bob received his own typing signal');
});

test('typing signals stay within the conversation\'s participants', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { users } = await setup(t);
  const [alice, bob, eve] = await users('alice', 'bob', 'eve');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: true });
  await bob.waitFor('conversations:add', (e) => e.conversations.some((x) => x.id === conversation.id));
  const eveMark = eve.mark();
  await alice.call('typing', { conversationId: conversation.id, state: 'started' });
  await bob.waitFor('typing-indicator-change', (e) => e.typing.includes('alice'), { description: 'alice typing' });
  await sleep(300);
  assert.deepEqual(eve.events('typing-indicator-change', eveMark), [], 'a non-participant received a typing signal');
});
