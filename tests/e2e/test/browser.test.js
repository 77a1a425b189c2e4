'use strict';
// Two users in headless Chromium, each in its own page on another origin than
// relayer (so every request is a CORS request), exchange one message.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { setup } = require('../lib/fixture');
const { startPageServer, launchChromium, CHROMIUM } = require('../lib/browser');

const BROWSER_TEST_TIMEOUT_MS = 30000;

// Runs in the page: sign in through `challenge` with a token from the page's
// own origin, and record what arrives.
async function signIn({ appId, url, websocketUrl, userId }) {
  window.received = [];
  window.errors = [];
  const client = new window.layer.Client({ appId, url, websocketUrl, isTrustedDevice: false });
  window.client = client;
  client.on('challenge', async (evt) => {
    const res = await fetch(`/identity-token?user=${encodeURIComponent(userId)}&nonce=${encodeURIComponent(evt.nonce)}`);
    evt.callback((await res.json()).identity_token);
  });
  client.on('messages:add', (evt) => evt.messages.forEach((m) => window.received.push({
    id: m.id, sender: m.sender.userId, displayName: m.sender.displayName, text: m.parts[0].body,
  })));
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('authenticated-error', (e) => reject(new Error(`authenticated-error ${JSON.stringify(e.error)}`)));
    client.once('connected-error', (e) => reject(new Error(`connected-error ${JSON.stringify(e.error)}`)));
    client.connect(userId);
  });
  await new Promise((resolve) => {
    const check = () => (client.socketManager.isOpen ? resolve() : setTimeout(check, 50));
    check();
  });
  return { userId: client.user.userId, displayName: client.user.displayName };
}

// Headless Chromium with one page per user, each signed in; a page on another origin than relayer.
async function openPages(t) {
  const { server } = await setup(t);
  const pages = await startPageServer(server);
  t.after(() => pages.close());
  const browser = await launchChromium();
  t.after(() => browser.close());

  const open = async (userId) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleLines = [];
    page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
    page.setDefaultTimeout(15000);
    await page.goto(pages.url);
    const explain = (err) => new Error(`${userId} in the browser: ${err.message}\n` +
      `page console:\n${consoleLines.slice(-20).join('\n')}\n--- relayer ---\n${server.log(20)}`);
    const me = await page.evaluate(signIn, {
      appId: server.appId, url: server.url, websocketUrl: server.websocketUrl, userId,
    }).catch((err) => { throw explain(err); });
    return { page, me, explain };
  };
  return { open };
}

test('two browser pages on another origin sign in and exchange a message', {
  timeout: BROWSER_TEST_TIMEOUT_MS,
  skip: fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`,
}, async (t) => {
  const { open } = await openPages(t);
  const alice = await open('alice');
  const bob = await open('bob');
  assert.deepEqual(alice.me, { userId: 'alice', displayName: 'Browser alice' });
  assert.equal(bob.me.userId, 'bob');

  const sent = await alice.page.evaluate(() => new Promise((resolve, reject) => {
    const conv = window.client.createConversation({ participants: ['bob'], distinct: true });
    const msg = conv.createMessage('Hello from Chromium');
    msg.once('messages:sent', () => resolve({ id: msg.id, conversationId: conv.id }));
    msg.once('messages:sent-error', (e) => reject(new Error(JSON.stringify(e.error))));
    msg.send();
  })).catch((err) => { throw alice.explain(err); });

  const got = await bob.page.waitForFunction(
    (id) => window.received.find((m) => m.id === id), sent.id, { timeout: 10000 },
  ).then((h) => h.jsonValue()).catch((err) => { throw bob.explain(err); });
  assert.deepEqual(got, {
    id: sent.id, sender: 'alice', displayName: 'Browser alice', text: 'Hello from Chromium',
  });
});

test('a browser page uploads a 100 KB image part and another page downloads the same bytes (CORS)', {
  timeout: BROWSER_TEST_TIMEOUT_MS,
  skip: fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`,
}, async (t) => {
  const { open } = await openPages(t);
  const alice = await open('alice');
  const bob = await open('bob');
  // Random bytes from a seed both sides know; the page builds the Blob itself.
  const sent = await alice.page.evaluate(() => new Promise((resolve, reject) => {
    const bytes = new Uint8Array(100 * 1024);
    for (let i = 0, x = 12345; i < bytes.length; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = x >>> 24; }
    const conv = window.client.createConversation({ participants: ['bob'], distinct: true });
    const msg = conv.createMessage({ parts: [{ mimeType: 'image/png', body: new Blob([bytes], { type: 'image/png' }) }] });
    msg.once('messages:sent', () => resolve({ id: msg.id, hasContent: Boolean(msg.parts[0]._content) }));
    msg.once('messages:sent-error', (e) => reject(new Error(JSON.stringify(e.error))));
    msg.send();
  })).catch((err) => { throw alice.explain(err); });
  assert.equal(sent.hasContent, true, 'the SDK uploaded the part (POST /content, PUT upload_url across origins)');

  await bob.page.waitForFunction((id) => window.received.find((m) => m.id === id), sent.id, { timeout: 10000 })
    .catch((err) => { throw bob.explain(err); });
  const check = await bob.page.evaluate((id) => new Promise((resolve, reject) => {
    const part = window.client.getMessage(id).parts[0];
    part.once('content-loaded-error', (e) => reject(new Error(`content-loaded-error ${JSON.stringify(e)}`)));
    part.fetchContent(async (blob) => {
      const got = new Uint8Array(await blob.arrayBuffer());
      let same = got.length === 100 * 1024;
      for (let i = 0, x = 12345; same && i < got.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        same = got[i] === (x >>> 24);
      }
      resolve({ length: got.length, same, type: blob.type });
    });
  }), sent.id).catch((err) => { throw bob.explain(err); });
  assert.deepEqual(check, { length: 100 * 1024, same: true, type: 'image/png' });
});
