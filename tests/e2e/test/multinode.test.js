'use strict';
// Issue 7: three stateless `relayer serve` nodes on one PostgreSQL database and one Redis, with
// Web SDK clients on different nodes. Conversations, messages, receipts, typing and replay cross
// nodes; a node killed with SIGKILL loses nothing: its clients come back through the balancer on
// another node and catch up. Skipped without RELAYER_TEST_PG and RELAYER_TEST_REDIS
// (scripts/services.sh provides both).

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { SdkClient } = require('../lib/client');
const { Cluster, TcpProxy, createTestDatabase, clusterUnavailable } = require('../lib/cluster');
const { sleep } = require('../lib/fixture');

const unavailable = clusterUnavailable();
const CLUSTER_TEST_TIMEOUT_MS = 60000;

// A cluster of `count` nodes on a fresh database, and SDK clients; all torn down when `t` ends.
async function setupCluster(t, count = 3) {
  const clients = [];
  const db = await createTestDatabase();
  const cluster = new Cluster({ count, store: db.uri, redis: process.env.RELAYER_TEST_REDIS });
  t.after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    clients.forEach((c) => c.kill());
    await cluster.stop();
    await db.drop();
  });
  await cluster.start();

  // Signs `userId` in through `target` (a node or a proxy) and waits for its websocket.
  async function user(userId, target, options) {
    const c = new SdkClient(cluster.endpoint(target), userId, options);
    clients.push(c);
    await c.start();
    await c.connect();
    await c.waitForSocket();
    return c;
  }
  return { cluster, user };
}

const hasConversation = (id) => (e) => e.conversations.some((c) => c.id === id);
const hasMessage = (id) => (e) => e.messages.some((m) => m.id === id);

// Messages of `conversationId` that `client` was told about after `after`, in arrival order.
function arrived(client, conversationId, after) {
  return client.events('messages:add', after).flatMap((e) => e.messages)
    .filter((m) => m.conversationId === conversationId);
}

test('the test proxy sends each new connection to the first backend that accepts it', async (t) => {
  // Two echo servers that prefix what they send back with their name.
  const backends = await Promise.all(['a', 'b'].map((name) => new Promise((resolve) => {
    const sockets = new Set();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('data', (d) => s.write(`${name}:${d}`));
    });
    const kill = () => { server.close(); sockets.forEach((s) => s.destroy()); };
    server.listen(0, '127.0.0.1', () => resolve({ name, server, kill, port: server.address().port }));
  })));
  const proxy = await new TcpProxy(backends).start();
  t.after(async () => {
    await proxy.close();
    backends.forEach((b) => b.kill());
  });
  const ask = () => new Promise((resolve, reject) => {
    const s = net.connect(proxy.port, '127.0.0.1', () => s.write('hi'));
    s.once('data', (d) => { resolve(String(d)); s.end(); });
    s.once('error', reject);
    setTimeout(() => reject(new Error('no answer through the proxy')), 2000);
  });
  assert.equal(await ask(), 'a:hi');
  proxy.prefer(1);
  assert.equal(await ask(), 'b:hi');

  // An open connection ends when its backend dies; the next one goes to a live backend.
  const held = net.connect(proxy.port, '127.0.0.1');
  await new Promise((resolve) => held.once('connect', resolve));
  held.write('x');
  await new Promise((resolve) => held.once('data', resolve));
  const closed = new Promise((resolve) => held.once('close', resolve));
  backends[1].kill();
  await closed;
  assert.equal(await ask(), 'a:hi', 'a dead backend is skipped');
  assert.deepEqual(proxy.routes, [0, 1, 1, 0]);
});

test('conversations, messages, receipts and typing cross nodes', {
  skip: unavailable || false, timeout: CLUSTER_TEST_TIMEOUT_MS,
}, async (t) => {
  const { cluster, user } = await setupCluster(t);
  const [n0, n1, n2] = cluster.nodes;
  const [alice, bob, carol] = await Promise.all([user('alice', n0), user('bob', n1), user('carol', n2)]);

  // A conversation created on node 0 reaches the participants on nodes 1 and 2.
  const { conversation } = await alice.call('createConversation', { participants: ['bob', 'carol'], distinct: false });
  const id = conversation.id;
  for (const c of [bob, carol]) {
    const added = await c.waitFor('conversations:add', hasConversation(id), { description: 'the conversation made on node 0' });
    const seen = added.conversations.find((x) => x.id === id);
    assert.deepEqual(seen.participants, ['alice', 'bob', 'carol']);
  }
  // Node 2 reads it from the shared store.
  const loaded = await carol.call('getConversation', { id });
  assert.deepEqual(loaded.participants, ['alice', 'bob', 'carol']);

  // A message from node 0 reaches nodes 1 and 2.
  const sent = await alice.call('sendMessage', { conversationId: id, parts: 'hello from node 0' });
  for (const c of [bob, carol]) {
    const evt = await c.waitFor('messages:add', hasMessage(sent.id), { description: 'the message sent on node 0' });
    const m = evt.messages.find((x) => x.id === sent.id);
    assert.equal(m.parts[0].body, 'hello from node 0');
    assert.equal(m.sender.userId, 'alice');
  }

  // Receipts: both SDKs acknowledge delivery on their own nodes; alice (node 0) sees ALL.
  await alice.waitFor('messages:change', (e) => e.message.id === sent.id && e.message.deliveryStatus === 'ALL', {
    description: 'deliveryStatus ALL from receipts posted on nodes 1 and 2',
  });
  await bob.call('markRead', { messageId: sent.id });
  const some = await alice.waitFor('messages:change', (e) => e.message.id === sent.id && e.message.readStatus === 'SOME', {
    description: 'readStatus SOME after bob read it on node 1',
  });
  assert.equal(some.message.recipientStatus['layer:///identities/bob'], 'read');
  await carol.call('markRead', { messageId: sent.id });
  const all = await alice.waitFor('messages:change', (e) => e.message.id === sent.id && e.message.readStatus === 'ALL', {
    description: 'readStatus ALL after carol read it on node 2',
  });
  assert.deepEqual(all.message.recipientStatus, {
    'layer:///identities/alice': 'read', 'layer:///identities/bob': 'read', 'layer:///identities/carol': 'read',
  });
  // Typing on node 2 shows on nodes 0 and 1, and stops there.
  const marks = [alice.mark(), bob.mark()];
  await carol.call('typing', { conversationId: id, state: 'started' });
  for (const [c, i] of [[alice, 0], [bob, 1]]) {
    await c.waitFor('typing-indicator-change', (e) => e.conversationId === id && e.typing.includes('carol'), {
      after: marks[i], description: 'carol typing on node 2',
    });
  }
  await carol.call('typing', { conversationId: id, state: 'finished' });
  for (const [c, i] of [[alice, 0], [bob, 1]]) {
    await c.waitFor('typing-indicator-change', (e) => e.conversationId === id && e.typing.length === 0
      && e.paused.length === 0, { after: marks[i], description: 'carol finished typing' });
  }
  await sleep(200);
  assert.ok(!carol.events('typing-indicator-change').some((e) => e.typing.includes('carol')),
    'carol received her own typing signal from another node');

  // The same distinct conversation created at once on nodes 1 and 2 is one conversation.
  const [fromBob, fromCarol] = await Promise.all([
    bob.call('createConversation', { participants: ['carol'], distinct: true }),
    carol.call('createConversation', { participants: ['bob'], distinct: true }),
  ]);
  assert.equal(fromBob.conversation.id, fromCarol.conversation.id, 'two nodes made two distinct conversations');
});

test('a client that reconnects to another node replays what it missed', {
  skip: unavailable || false, timeout: CLUSTER_TEST_TIMEOUT_MS,
}, async (t) => {
  const { cluster, user } = await setupCluster(t);
  const lb = await cluster.proxy(1);
  const alice = await user('alice', cluster.nodes[0]);
  const bob = await user('bob', lb);
  assert.ok(lb.routes.length > 0 && lb.routes.every((r) => r === 1), `bob is not on node 1: ${lb.routes}`);

  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: false });
  await bob.waitFor('conversations:add', hasConversation(conversation.id), { description: 'the conversation' });
  const before = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'before' });
  await bob.waitFor('messages:add', hasMessage(before.id), { description: 'the first message' });

  const offline = bob.mark();
  await bob.call('goOffline');
  await bob.waitFor('socket:disconnected', null, { after: offline, description: 'its websocket closed' });
  const missed = [];
  for (let i = 0; i < 3; i++) {
    missed.push(await alice.call('sendMessage', { conversationId: conversation.id, parts: `missed ${i}` }));
  }
  await alice.call('setMetadata', { conversationId: conversation.id, properties: { title: 'Renamed on node 0' } });

  // Bob comes back through the balancer, which now sends him to node 2.
  lb.prefer(2);
  const routed = lb.routes.length;
  const online = bob.mark();
  await bob.call('goOnline');
  await bob.waitFor('socket:connected', null, { after: online, description: 'its websocket reopened' });
  assert.ok(lb.routes.length > routed && lb.routes.slice(routed).every((r) => r === 2),
    `bob's new connections did not go to node 2: ${lb.routes.slice(routed)}`);
  for (const m of missed) {
    await bob.waitFor('messages:add', hasMessage(m.id), { after: online, description: `"${m.parts[0].body}" replayed by node 2` });
  }
  await bob.waitFor('conversations:change', (e) => e.conversation.id === conversation.id
    && e.conversation.metadata.title === 'Renamed on node 0', { after: online, description: 'the title change replayed' });
  const replayed = arrived(bob, conversation.id, online);
  assert.deepEqual(replayed.map((m) => m.parts[0].body), ['missed 0', 'missed 1', 'missed 2'],
    'the missed messages arrive once each, in order');
  for (const m of missed) {
    await alice.waitFor('messages:change', (e) => e.message.id === m.id && e.message.deliveryStatus === 'ALL', {
      description: `bob's delivery receipt (posted on node 2) for "${m.parts[0].body}"`,
    });
  }
  // The live feed works on the new node.
  const live = bob.mark();
  const after = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'after' });
  await bob.waitFor('messages:add', hasMessage(after.id), { after: live, description: 'a live message on node 2' });
});

test('a killed node\'s clients move to another node and miss nothing', {
  skip: unavailable || false, timeout: CLUSTER_TEST_TIMEOUT_MS,
}, async (t) => {
  const { cluster, user } = await setupCluster(t);
  const VICTIM = 2;
  const lb = await cluster.proxy(VICTIM);
  const alice = await user('alice', cluster.nodes[0]);
  const bob = await user('bob', cluster.nodes[1]);
  const [carol, dave] = await Promise.all([user('carol', lb), user('dave', lb)]);
  assert.ok(lb.routes.length > 0 && lb.routes.every((r) => r === VICTIM), `carol and dave are not on node ${VICTIM}: ${lb.routes}`);
  const moving = [carol, dave];
  const readers = [bob, carol, dave];

  const { conversation } = await alice.call('createConversation', {
    participants: ['bob', 'carol', 'dave'], distinct: false,
  });
  const id = conversation.id;
  await Promise.all(readers.map((c) => c.waitFor('conversations:add', hasConversation(id), { description: 'the conversation' })));
  const start = readers.map((c) => c.mark());

  // Alice (node 0) and bob (node 1) take turns sending; node 2 dies after the fourth message.
  const PER_SENDER = 10;
  const KILL_AFTER = 4;
  const sent = [];
  let killedAt = -1;
  let routedAtKill = 0;
  let killed = Promise.resolve();
  for (let i = 0; i < PER_SENDER; i++) {
    for (const [who, c] of [['alice', alice], ['bob', bob]]) {
      const m = await c.call('sendMessage', { conversationId: id, parts: `${who} ${i}` });
      sent.push(m);
      if (sent.length === KILL_AFTER) {
        killedAt = sent.length;
        routedAtKill = lb.routes.length;
        killed = cluster.killNode(VICTIM);
      }
    }
    await sleep(150);
  }
  await killed;
  assert.ok(killedAt > 0);

  // Carol and dave reconnect through the balancer to a live node and catch up.
  for (const c of moving) {
    await c.waitFor('socket:connected', null, {
      after: start[readers.indexOf(c)], timeout: 20000, description: 'its websocket reopened on a live node',
    });
  }
  // (A connection the victim accepted just before it died may still be counted for it.)
  const moved = lb.routes.slice(routedAtKill);
  assert.ok(moved.some((r) => r >= 0 && r !== VICTIM), `the balancer sent nothing to a live node: ${moved}`);

  for (const [k, c] of readers.entries()) {
    for (const m of sent) {
      if (m.sender.userId === c.userId) continue;
      await c.waitFor('messages:add', hasMessage(m.id), {
        after: start[k], timeout: 15000, description: `"${m.parts[0].body}"`,
      });
    }
    const got = arrived(c, id, start[k]).filter((m) => m.sender.userId !== c.userId);
    const ids = got.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, `${c.userId} got a message twice: ${got.map((m) => m.parts[0].body)}`);
    const expected = sent.filter((m) => m.sender.userId !== c.userId).map((m) => m.id).sort();
    assert.deepEqual([...ids].sort(), expected, `${c.userId} got other messages than those sent`);
  }
  // Every message's position is unique and increasing in sending order (one store for all nodes).
  const positions = sent.map((m) => m.position);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'positions are not in sending order');

  // The moved clients' delivery receipts (posted on their new node) reach alice on node 0.
  for (const m of sent.filter((x) => x.sender.userId === 'alice')) {
    await alice.waitFor('messages:change', (e) => e.message.id === m.id && e.message.deliveryStatus === 'ALL', {
      timeout: 15000, description: `deliveryStatus ALL for "${m.parts[0].body}"`,
    });
  }
  // And a moved client talks live again.
  const marks = [alice.mark(), bob.mark()];
  const fromCarol = await carol.call('sendMessage', { conversationId: id, parts: 'carol is back' });
  await alice.waitFor('messages:add', hasMessage(fromCarol.id), { after: marks[0], description: "carol's message from her new node" });
  await bob.waitFor('messages:add', hasMessage(fromCarol.id), { after: marks[1], description: "carol's message from her new node" });
});
