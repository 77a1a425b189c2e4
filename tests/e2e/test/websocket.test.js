'use strict';
// The WebSocket API on the wire, without the SDK: refusal of bad sessions, packet framing and
// counters, request/response pairing, and the bound on a connection that stops reading.

const test = require('node:test');
const assert = require('node:assert/strict');
const { client: WebSocketClient } = require('websocket');
const { startServer } = require('../lib/server');

const TIMEOUT_MS = 60000;

// Opens a raw layer-2.0 socket; resolves {connection} or rejects with the HTTP/close failure.
function openSocket(server, sessionToken, { path = '/' } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocketClient({ maxReceivedFrameSize: 64 << 20, maxReceivedMessageSize: 64 << 20 });
    ws.on('connectFailed', reject);
    ws.on('connect', (connection) => {
      const packets = [];
      const waiters = [];
      const pending = new Map();  // request id -> resolve
      connection.on('message', (m) => {
        const packet = JSON.parse(m.utf8Data);
        packets.push(packet);
        if (packet.type === 'response' && pending.has(packet.body.request_id)) {
          pending.get(packet.body.request_id)(packet);
          pending.delete(packet.body.request_id);
        }
        for (const w of waiters.splice(0)) w();
      });
      const closed = new Promise((r) => connection.on('close', (code, reason) => r({ code, reason })));
      const waitFor = async (pred, what, ms = 10000) => {
        const deadline = Date.now() + ms;
        for (;;) {
          const found = packets.find(pred);
          if (found) return found;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(packets.slice(-5))}`);
          await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
        }
      };
      let next = 1;
      const request = async (method, data, objectId, ms = 10000) => {
        const requestId = `t${next++}`;
        const body = { method, request_id: requestId, data };
        if (objectId) body.object_id = objectId;
        const answered = new Promise((r, j) => {
          pending.set(requestId, r);
          setTimeout(() => j(new Error(`timed out waiting for the ${method} response ${requestId}`)), ms);
        });
        connection.sendUTF(JSON.stringify({ type: 'request', body }));
        return answered;
      };
      resolve({ connection, packets, waitFor, request, closed });
    });
    ws.connect(`${server.websocketUrl}${path}?session_token=${encodeURIComponent(sessionToken)}&client-id=test`, 'layer-2.0');
  });
}

test('a socket with an unknown session token is closed with code 4001 and a reason', { timeout: TIMEOUT_MS }, async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const { closed } = await openSocket(server, 'not-a-session');
  const { code, reason } = await closed;
  assert.equal(code, 4001);
  assert.match(reason, /authentication_required/);
});

test('packets count from 0 and responses carry the request id; /websocket/ works too', { timeout: TIMEOUT_MS }, async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const token = await server.createSession('alice');
  for (const path of ['/', '/websocket/']) {
    const s = await openSocket(server, token, { path });
    const first = await s.request('Counter.read', {});
    assert.equal(first.counter, 0, 'the first packet of a connection has counter 0');
    assert.equal(first.body.success, true);
    const sync = await s.request('Presence.sync', { since: new Date().toISOString() });
    assert.equal(sync.counter, 1);
    assert.deepEqual(sync.body.data, { changes: [] });
    const unknown = await s.request('No.such', {});
    assert.equal(unknown.body.success, false);
    assert.equal(unknown.body.data.id, 'invalid_endpoint');
    s.connection.close();
  }
});

test('Message.create answers the sender and pushes a create change to the other participant', { timeout: TIMEOUT_MS }, async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const a = await openSocket(server, await server.createSession('alice', { display_name: 'Alice Liddell' }));
  const b = await openSocket(server, await server.createSession('bob'));
  const conv = await a.request('Conversation.create', { participants: ['layer:///identities/bob'], distinct: true });
  assert.equal(conv.body.success, true, JSON.stringify(conv.body));
  const cid = conv.body.data.id;
  await b.waitFor((p) => p.type === 'change' && p.body.operation === 'create' && p.body.object.id === cid, 'conversation create');
  const sent = await a.request('Message.create', { parts: [{ mime_type: 'text/plain', body: 'hi' }] }, cid);
  assert.equal(sent.body.success, true, JSON.stringify(sent.body));
  const mid = sent.body.data.id;
  const pushed = await b.waitFor((p) => p.type === 'change' && p.body.object.id === mid, 'message create');
  assert.equal(pushed.body.operation, 'create');
  assert.equal(pushed.body.data.parts[0].body, 'hi');
  assert.equal(pushed.body.data.sender.user_id, 'alice');
  // The SDK overwrites its copy of the sender with this: it must carry her display name.
  assert.equal(pushed.body.data.sender.display_name, 'Alice Liddell');
  assert.equal(sent.body.data.sender.display_name, 'Alice Liddell');
  const listed = await server.request('GET', `/conversations/${cid.split('/').pop()}/messages`,
    { sessionToken: await server.createSession('bob') });
  assert.equal(listed.json[0].sender.display_name, 'Alice Liddell');
  assert.equal(pushed.body.data.is_unread, true);
  // The sender's own socket hears of it too, rendered for her: she has read what she sent.
  const echo = await a.waitFor((p) => p.type === 'change' && p.body.operation === 'create' &&
    p.body.object.id === mid, 'the echo of her message');
  assert.equal(echo.body.data.is_unread, false);
  // The conversation's last_message follows, as a Layer-Patch naming the message by id.
  const moved = await b.waitFor((p) => p.type === 'change' && p.body.operation === 'update' &&
    p.body.object.id === cid && p.body.data.some((op) => op.property === 'last_message'), 'last_message update');
  assert.deepEqual(moved.body.data, [{ operation: 'set', property: 'last_message', id: mid }]);
  // Counters on bob's socket are gapless.
  b.packets.forEach((p, i) => assert.equal(p.counter, i));
  // Bad input over the socket is an error response, and the socket keeps serving.
  const bad = await a.request('Message.create', { parts: [{ mime_type: 'textplain', body: 'x' }] }, cid);
  assert.equal(bad.body.success, false);
  assert.equal(bad.body.data.id, 'invalid_property');
  const again = await a.request('Counter.read', {});
  assert.equal(again.body.success, true);
});

// Bob stops reading while alice sends to bob and carol; `extraArgs` sets the bound that drops him.
async function slowReaderIsDropped(t, extraArgs) {
  const server = await startServer({ extraArgs });
  t.after(() => server.stop());
  const a = await openSocket(server, await server.createSession('alice'));
  const slow = await openSocket(server, await server.createSession('bob'));
  const carol = await openSocket(server, await server.createSession('carol'));
  const conv = await a.request('Conversation.create', { participants: ['bob', 'carol'], distinct: false });
  const cid = conv.body.data.id;
  await slow.waitFor((p) => p.type === 'change' && p.body.object.id === cid, 'conversation create');
  // Bob stops reading. More than the kernel's socket buffers can hold must go his way before the
  // server's own bound is reached: 6,000 messages of ~1.9 KB (11 MB), pipelined.
  slow.connection.socket.pause();
  const COUNT = 6000;
  const body = 'x'.repeat(1900);
  const answers = [];
  const WINDOW = 50;  // alice reads her answers as they come: keep her own queue short
  for (let i = 0; i < COUNT; i += WINDOW) {
    const sends = [];
    for (let j = i; j < Math.min(COUNT, i + WINDOW); j++) {
      sends.push(a.request('Message.create', { parts: [{ mime_type: 'text/plain', body: `${j} ${body}` }] }, cid, 20000));
    }
    answers.push(...await Promise.all(sends));
  }
  assert.equal(answers.filter((r) => r.body.success).length, COUNT, 'every send is acknowledged while bob does not read');
  slow.connection.socket.resume();
  const { code } = await slow.closed;
  assert.ok(code !== undefined, 'bob was disconnected');
  // Carol, who reads, got every message.
  const carolCount = () => carol.packets.filter((p) => p.type === 'change' &&
    p.body.operation === 'create' && p.body.object.type === 'Message').length;
  for (const deadline = Date.now() + 20000; carolCount() < COUNT && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(carolCount(), COUNT, 'carol receives every message');
  // Bob reconnects and replays what he missed, fed as his socket drains.
  const back = await openSocket(server, await server.createSession('bob'));
  const from = new Date(Date.now() - 60000).toISOString();
  const replay = await back.request('Event.replay', { from_timestamp: from }, undefined, 20000);
  assert.equal(replay.body.success, true);
  const messages = new Set(back.packets.filter((p) => p.type === 'change' && p.body.object.type === 'Message').map((p) => p.body.object.id));
  assert.equal(messages.size, COUNT, 'the replay carries every message');
}

test('a client that stops reading is disconnected; the sender and others are unaffected', { timeout: TIMEOUT_MS }, async (t) => {
  await slowReaderIsDropped(t, ['--ws-max-queued-bytes', '1048576']);
});

test('the bound also counts packets: a client that stops reading is dropped after 400', { timeout: TIMEOUT_MS }, async (t) => {
  // 64 MiB of bytes is never reached by the ~11 MB sent: only the packet bound can drop bob.
  await slowReaderIsDropped(t, ['--ws-max-queued-packets', '400', '--ws-max-queued-bytes', '67108864']);
});

test('a socket that answers no ping is closed after the idle timeout; one that answers stays', { timeout: TIMEOUT_MS }, async (t) => {
  const net = require('node:net');
  const crypto = require('node:crypto');
  const server = await startServer({ extraArgs: ['--ws-idle-timeout', '2'] });
  t.after(() => server.stop());
  const token = await server.createSession('alice');
  // A raw client: completes the upgrade, then reads but never sends (so never a pong).
  const raw = net.connect(server.port, '127.0.0.1');
  const key = crypto.randomBytes(16).toString('base64');
  raw.write(`GET /?session_token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: layer-2.0\r\n\r\n');
  let received = '';
  raw.on('data', (d) => { received += d.toString('latin1'); });
  const started = Date.now();
  const rawClosed = new Promise((r) => raw.on('close', r));
  // A well-behaved client (the websocket package answers pings) on the same server.
  const good = await openSocket(server, token);
  await rawClosed;
  const after = Date.now() - started;
  assert.match(received, /^HTTP\/1\.1 101/, 'the upgrade was accepted');
  assert.ok(after >= 1500 && after < 10000, `closed after ${after} ms, expected about 2 s`);
  await new Promise((r) => setTimeout(r, 3000));
  const alive = await good.request('Counter.read', {});
  assert.equal(alive.body.success, true, 'the client that answers pings is still connected');
});
