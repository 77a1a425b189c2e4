'use strict';
// The C++ SDK and the Layer Web SDK in one conversation: examples/echo_bot (built on
// relayer::client, tokens from a stand-in app backend) answers a Web SDK user, whose SDK sees the
// bot's delivery and read receipts.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { setup, TEST_TIMEOUT_MS } = require('../lib/fixture');

function examplesDir() {
  return process.env.RELAYER_EXAMPLES_DIR || path.resolve(__dirname, '../../../build/examples');
}

// The app's backend: GET /identity-token?user=&nonce= signs for the server's identity provider.
async function startTokenServer(t, server) {
  const backend = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const token = server.identity.sign({ userId: url.searchParams.get('user'), nonce: url.searchParams.get('nonce') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ identity_token: token }));
  });
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  t.after(() => backend.close());
  return `http://127.0.0.1:${backend.address().port}/identity-token`;
}

// Starts the bot and resolves once its SDK reports the connection up.
function startBot(t, server, tokenUrl, userId) {
  const bin = path.join(examplesDir(), 'example_echo_bot');
  assert.ok(fs.existsSync(bin), `${bin} not found: build example_echo_bot or set RELAYER_EXAMPLES_DIR`);
  const child = spawn(bin, [server.url, server.appId, userId, '25'], {
    env: { ...process.env, RELAYER_IDENTITY_TOKEN_URL: tokenUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill());
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not connect:\n${output}`)), 10000);
    const onData = (d) => {
      output += d;
      if (output.includes('connection: connected')) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the bot exited with ${code}:\n${output}`)));
  });
}

test('a C++ SDK bot answers a Web SDK user, who sees its receipts', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, user } = await setup(t);
  const tokenUrl = await startTokenServer(t, server);
  const bot = await startBot(t, server, tokenUrl, 'bot');
  const alice = await user('alice');
  const { conversation } = await alice.call('createConversation', { participants: ['bot'], distinct: true });
  const mark = alice.mark();
  const sent = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'ping' });

  const reply = await alice.waitFor('messages:add', (e) => e.messages.some((m) => m.sender && m.sender.userId === 'bot'), {
    after: mark, description: 'the bot\'s reply',
  });
  const answer = reply.messages.find((m) => m.sender.userId === 'bot');
  assert.equal(answer.parts[0].body, 'echo: ping');
  assert.equal(answer.conversationId, conversation.id);

  // The bot's SDK acknowledged delivery by itself, then the bot marked the message read.
  const read = await alice.waitFor('messages:change', (e) => e.message.id === sent.id && e.message.readStatus === 'ALL', {
    after: mark, description: 'readStatus ALL from the bot\'s read receipt',
  });
  assert.equal(read.message.recipientStatus['layer:///identities/bot'], 'read');
  assert.equal(read.message.deliveryStatus, 'ALL');
  assert.match(bot.output(), /replied to alice: ping/);
});
