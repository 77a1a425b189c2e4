'use strict';
// The developer dashboard in headless Chromium: sign in with the app's platform token, then Web
// SDK clients (Node) create a conversation, send messages and read them, and the page shows the
// sync log lines and every recipient's receipt state as they happen, without reloading.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setup } = require('../lib/fixture');
const { launchChromium, CHROMIUM } = require('../lib/browser');
const { decodePng, describePng } = require('../lib/png');

const DASHBOARD_TEST_TIMEOUT_MS = 30000;

test('the dashboard shows sync log lines and receipt state live', {
  timeout: DASHBOARD_TEST_TIMEOUT_MS,
  skip: fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`,
}, async (t) => {
  const { server, user } = await setup(t);
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const consoleLines = [];
  page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  const requests = [];
  page.on('request', (req) => requests.push(req.url()));
  page.setDefaultTimeout(15000);
  const explain = (err) => new Error(`${err.message}\npage console:\n${consoleLines.slice(-20).join('\n')}` +
    `\n--- relayer ---\n${server.log(20)}`);

  await page.goto(`${server.url}/dashboard`);
  // A wrong token is refused and the sign-in form says why.
  await page.fill('#app', server.appId);
  await page.fill('#token', 'not-the-token');
  await page.click('#connect');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0)
    .catch((err) => { throw explain(err); });
  assert.equal(await page.isVisible('#login'), true);

  await page.fill('#app', server.appId);
  await page.fill('#token', server.platformToken);
  await page.click('#connect');
  await page.waitForFunction(() => document.getElementById('live').textContent === 'live')
    .catch((err) => { throw explain(err); });
  // Set once: still there at the end means nothing reloaded the page.
  await page.evaluate(() => { window.notReloaded = true; });
  const empty = await page.screenshot();

  const alice = await user('alice');
  const bob = await user('bob');
  const { conversation } = await alice.call('createConversation', { participants: ['bob'], distinct: false });
  await bob.waitFor('conversations:add', (e) => e.conversations.some((c) => c.id === conversation.id), {
    description: 'the conversation reaches bob',
  });
  const first = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'Hello dashboard' });
  const second = await alice.call('sendMessage', { conversationId: conversation.id, parts: 'Second message' });
  await bob.call('markRead', { messageId: first.id });

  const createdLine = `Sync: User alice created a message in conversation ${conversation.id}.`;
  const readLine = `Sync: User bob sent a read receipt for message ${first.id} in conversation ${conversation.id}.`;
  await page.waitForFunction(([a, b]) => {
    const lines = [...document.querySelectorAll('#logs .line')].map((e) => e.textContent);
    return lines.filter((l) => l === a).length === 2 && lines.includes(b);
  }, [createdLine, readLine]).catch((err) => { throw explain(err); });

  // Receipt state per recipient: bob has read the first message and got the second (his SDK
  // acknowledges delivery by itself).
  const chip = (messageId, state) =>
    `.conversation[data-id="${conversation.id}"] .message[data-id="${messageId}"] .receipt[data-user="bob"][data-state="${state}"]`;
  await page.waitForSelector(chip(first.id, 'read')).catch((err) => { throw explain(err); });
  await page.waitForSelector(chip(second.id, 'delivered')).catch((err) => { throw explain(err); });
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  const participants = await page.textContent(`.conversation[data-id="${conversation.id}"] .participants`);
  assert.match(participants, /alice.*bob/);

  const text = await page.textContent('#logs');
  assert.ok(text.includes(createdLine), text);
  assert.ok(text.includes(`Sync: User alice created conversation ${conversation.id}.`), text);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relayer-dashboard-'));
  const file = path.join(dir, 'dashboard.png');
  const full = await page.screenshot({ path: file });
  console.log(`dashboard screenshot: ${file}`);
  const shot = describePng(decodePng(full), decodePng(empty));
  assert.ok(shot.colours > 20, `the screenshot has ${shot.colours} colours: blank?`);
  assert.ok(shot.differing > shot.total / 100,
    `only ${shot.differing} of ${shot.total} pixels differ from the empty dashboard`);

  // Nothing was loaded from anywhere but relayer.
  for (const url of requests) assert.ok(url.startsWith(server.url), `the page loaded ${url}`);

  // The credentials live in sessionStorage: a reload opens the dashboard again without asking.
  await page.reload();
  await page.waitForFunction((line) => [...document.querySelectorAll('#logs .line')]
    .some((e) => e.textContent === line), createdLine).catch((err) => { throw explain(err); });
  assert.equal(await page.isVisible('#login'), false);
});
