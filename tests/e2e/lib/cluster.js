'use strict';
// Several `relayer serve` nodes as one service (issue 7, docs/scaling.md): a fresh PostgreSQL
// database on the test server (RELAYER_TEST_PG), nodes that share it and one Redis
// (RELAYER_TEST_REDIS) and are configured with the same app, identity key and platform token,
// and a tiny TCP "load balancer" (TcpProxy) for clients that must move between nodes.

const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const net = require('node:net');
const { RelayerServer } = require('./server');
const { IdentityProvider } = require('./identity');

const PSQL_TIMEOUT_MS = 10000;
const CONNECT_TIMEOUT_MS = 2000;

// Why the scale-out tests cannot run here, or null when they can.
function clusterUnavailable() {
  const missing = ['RELAYER_TEST_PG', 'RELAYER_TEST_REDIS'].filter((v) => !process.env[v]);
  if (missing.length === 0) return null;
  return `${missing.join(' and ')} unset: run under scripts/test.sh or \`source scripts/services.sh\``;
}

function psql(uri, sql) {
  return new Promise((resolve, reject) => {
    execFile('psql', [uri, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      { timeout: PSQL_TIMEOUT_MS }, (err, stdout, stderr) => {
        if (err) reject(new Error(`psql ${sql}: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
  });
}

// A new, empty database beside RELAYER_TEST_PG's, so test runs never see each other's rows.
// Resolves with { uri, drop() }.
async function createTestDatabase(base = process.env.RELAYER_TEST_PG) {
  const name = `relayer_e2e_${crypto.randomBytes(6).toString('hex')}`;
  await psql(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    name,
    uri: url.toString(),
    // FORCE ends the sessions of nodes that were killed and left connections behind.
    drop: () => psql(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

// Forwards each new TCP connection to the first backend (in `order`) that accepts it, and ends
// the client's connection when the backend's ends: a load balancer without stickiness. `order`
// can change at any time (prefer()); open connections stay where they are.
class TcpProxy {
  constructor(backends) {
    this.backends = backends;  // objects with a `port`, e.g. RelayerServers
    this.order = backends.map((_, i) => i);
    this.routes = [];  // for every accepted connection: the backend index, or -1
    this.sockets = new Set();
    this.server = net.createServer((client) => this._onConnection(client));
  }

  get port() { return this.server.address().port; }
  get url() { return `http://127.0.0.1:${this.port}`; }
  get websocketUrl() { return `ws://127.0.0.1:${this.port}`; }

  // Tries backend `first` before the others (in their index order).
  prefer(first) {
    this.order = [first, ...this.backends.map((_, i) => i).filter((i) => i !== first)];
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve(this));
    });
  }

  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  _track(socket) {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  _onConnection(client) {
    this._track(client);
    client.pause();
    const route = this.routes.length;
    this.routes.push(-1);
    const order = [...this.order];
    const attempt = (k) => {
      if (client.destroyed) return;
      if (k >= order.length) {
        client.destroy();
        return;
      }
      const index = order[k];
      const upstream = net.connect({ host: '127.0.0.1', port: this.backends[index].port });
      this._track(upstream);
      const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
      upstream.once('error', () => {
        clearTimeout(timer);
        if (this.routes[route] === -1) attempt(k + 1);
      });
      upstream.once('connect', () => {
        clearTimeout(timer);
        this.routes[route] = index;
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    client.once('error', () => client.destroy());
    attempt(0);
  }
}

// `count` nodes on one PostgreSQL database and one Redis, sharing an app: any node accepts the
// identity tokens and session tokens of any other. Everything ends with stop().
class Cluster {
  constructor({ count = 3, store, redis, extraArgs = [] }) {
    this.identity = new IdentityProvider();
    this.appUuid = crypto.randomUUID();
    this.appId = `layer:///apps/staging/${this.appUuid}`;
    this.platformToken = crypto.randomBytes(24).toString('hex');
    this.nodes = [];
    for (let i = 0; i < count; i++) {
      const node = new RelayerServer({ extraArgs: ['--store', store, '--redis', redis, ...extraArgs] });
      // The same app on every node, as one config file deployed to all of them would give.
      node.identity = this.identity;
      node.appUuid = this.appUuid;
      node.appId = this.appId;
      node.platformToken = this.platformToken;
      node.name = `node${i}`;
      this.nodes.push(node);
    }
    this.proxies = [];
  }

  // Starts every node at once: they race for the schema migration, which one of them applies.
  async start() {
    await Promise.all(this.nodes.map((n) => n.start()));
    return this;
  }

  // A balancer in front of every node that tries node `prefer` first.
  async proxy(prefer = 0) {
    const p = new TcpProxy(this.nodes);
    p.prefer(prefer);
    this.proxies.push(p);
    return p.start();
  }

  // What SdkClient needs to reach the service through `target` (a node or a proxy).
  endpoint(target) {
    return {
      appId: this.appId,
      identity: this.identity,
      get url() { return target.url; },
      get websocketUrl() { return target.websocketUrl; },
      log: (lines = 20) => this.log(lines),
    };
  }

  // The last lines of every node, for assertion messages.
  log(lines = 15) {
    return this.nodes.map((n) => `--- ${n.name} (port ${n.port}) ---\n${n.log(lines)}`).join('\n');
  }

  // SIGKILL: no goodbye to clients, PostgreSQL or Redis.
  killNode(i) {
    const node = this.nodes[i];
    node.stopping = true;
    if (node.child && node.child.exitCode === null && node.child.signalCode === null) {
      node.child.kill('SIGKILL');
    }
    return new Promise((resolve) => {
      if (node.child.exitCode !== null || node.child.signalCode !== null) resolve();
      else node.child.once('exit', () => resolve());
    });
  }

  async stop() {
    await Promise.allSettled(this.proxies.map((p) => p.close()));
    await Promise.allSettled(this.nodes.map((n) => n.stop()));
  }
}

module.exports = { Cluster, TcpProxy, createTestDatabase, clusterUnavailable };
