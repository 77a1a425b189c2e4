'use strict';
// Per-test setup: a fresh relayer and SDK clients, all torn down when the test ends.

const { startServer } = require('./server');
const { SdkClient } = require('./client');

// Every test gets at most this long (the brief: each test ≤ 30 s).
const TEST_TIMEOUT_MS = 30000;

async function setup(t) {
  const clients = [];
  let server = null;
  t.after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    clients.forEach((c) => c.kill());
    if (server) await server.stop();
  });
  server = await startServer();

  // Starts a client process for `userId` without signing in.
  async function client(userId, options) {
    const c = new SdkClient(server, userId, options);
    clients.push(c);
    await c.start();
    return c;
  }

  // Starts, signs in (through `challenge`) and waits for the websocket.
  async function user(userId, options) {
    const c = await client(userId, options);
    await c.connect();
    await c.waitForSocket();
    return c;
  }

  async function users(...userIds) {
    return Promise.all(userIds.map((id) => user(id)));
  }

  return { server, client, user, users };
}

// A short pause, only where the protocol gives nothing to wait for.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { setup, sleep, TEST_TIMEOUT_MS };
