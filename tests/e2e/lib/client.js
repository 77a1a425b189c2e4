'use strict';
// Test-side handle on one user's layer-websdk Client, which runs in its own
// child process (lib/client-host.js): the SDK allows one Client per app per realm.

const { fork } = require('node:child_process');
const path = require('node:path');

const HOST = path.join(__dirname, 'client-host.js');
const DEFAULT_TIMEOUT_MS = 10000;

class SdkClient {
  // options.profile: identity-token claims (display_name, ...).
  // options.autoAnswer: answer each `challenge` with a valid token (default true).
  constructor(server, userId, options = {}) {
    this.server = server;
    this.userId = userId;
    this.profile = options.profile || { display_name: `User ${userId}` };
    this.autoAnswer = options.autoAnswer !== false;
    this.recordPackets = Boolean(options.recordPackets);
    this.history = [];
    this.output = [];
    this.waiters = new Set();
    this.pending = new Map();
    this.nextId = 1;
    this.child = null;
    this.exited = false;
  }

  get identityId() { return `layer:///identities/${encodeURIComponent(this.userId)}`; }

  async start() {
    const config = {
      appId: this.server.appId,
      url: this.server.url,
      websocketUrl: this.server.websocketUrl,
      userId: this.userId,
      verbose: Boolean(process.env.E2E_VERBOSE),
      recordPackets: this.recordPackets,
    };
    this.child = fork(HOST, [JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    for (const [stream, tag] of [[this.child.stdout, 'out'], [this.child.stderr, 'err']]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          this.output.push(`[${tag}] ${line}`);
          if (this.output.length > 500) this.output.shift();
          if (process.env.E2E_VERBOSE) process.stderr.write(`${this.userId} ${tag}: ${line}\n`);
        }
      });
    }
    this.child.on('message', (msg) => this._onMessage(msg));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const err = new Error(`client process of ${this.userId} exited (code ${code}, signal ${signal})\n${this.log()}`);
      for (const { reject } of this.pending.values()) reject(err);
      this.pending.clear();
    });
    await this.waitFor('host:ready', null, { timeout: 10000 });
    return this;
  }

  _onMessage(msg) {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${this.userId}: ${p.cmd} failed: ${msg.error}`));
      return;
    }
    const entry = { event: msg.event, data: msg.data, at: Date.now() };
    this.history.push(entry);
    if (msg.event === 'challenge' && this.autoAnswer) {
      const identityToken = this.server.identity.sign({
        userId: this.userId, nonce: msg.data.nonce, profile: this.profile,
      });
      this.call('answerChallenge', { identityToken }).catch(() => {});
    }
    for (const w of [...this.waiters]) w.check(this.history.length - 1);
  }

  // Sends a command to the child and resolves with its result.
  call(cmd, args = {}, timeout = DEFAULT_TIMEOUT_MS) {
    if (this.exited || !this.child) return Promise.reject(new Error(`client ${this.userId} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.userId}: ${cmd} did not complete within ${timeout} ms\n` +
          `recent SDK events: ${this.recentEvents()}\n${this.log()}\n--- relayer ---\n${this.server.log(20)}`));
      }, timeout);
      this.pending.set(id, {
        cmd,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.send({ id, cmd, args });
    });
  }

  // Position in the event history; pass as `after` to wait only for later events.
  mark() { return this.history.length; }

  events(event, after = 0) {
    return this.history.slice(after).filter((e) => e.event === event).map((e) => e.data);
  }

  // Resolves with the data of the first `event` (at or after `after`) for which
  // `predicate(data)` is truthy; rejects with `description` after `timeout` ms.
  waitFor(event, predicate, { after = 0, timeout = DEFAULT_TIMEOUT_MS, description } = {}) {
    const test = predicate || (() => true);
    return new Promise((resolve, reject) => {
      const waiter = {
        check: (index) => {
          const e = this.history[index];
          if (index < after || e.event !== event) return;
          let ok = false;
          try { ok = test(e.data); } catch (err) { ok = false; }
          if (ok) {
            this.waiters.delete(waiter);
            clearTimeout(timer);
            resolve(e.data);
          }
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.userId} never saw ${description || event} within ${timeout} ms\n` +
          `recent SDK events: ${this.recentEvents()}\n--- relayer ---\n${this.server.log(20)}`));
      }, timeout);
      this.waiters.add(waiter);
      for (let i = after; i < this.history.length && this.waiters.has(waiter); i++) waiter.check(i);
    });
  }

  recentEvents(n = 25) {
    return JSON.stringify(this.history.slice(-n).map((e) => {
      if (e.event === 'socket:packet') return `packet:${e.data.type}#${e.data.counter}`;
      return e.event;
    }));
  }

  log(lines = 30) { return this.output.slice(-lines).join('\n'); }

  // The SDK signs in through its `challenge` event (answered automatically
  // unless autoAnswer is false) and resolves once `ready`.
  async connect(timeout = DEFAULT_TIMEOUT_MS) {
    const result = await this.call('connect', {}, timeout);
    this.sessionToken = result.sessionToken;
    return result;
  }

  // Resolves when the SDK's websocket is open.
  async waitForSocket({ after = 0, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const state = await this.call('state');
    if (state.socketOpen && after === 0) return;
    await this.waitFor('socket:connected', null, { after, timeout, description: 'its websocket open' });
  }

  async close() {
    if (!this.child || this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try { this.child.disconnect(); } catch (e) { /* already gone */ }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  kill() {
    if (this.child && !this.exited) this.child.kill('SIGKILL');
  }
}

module.exports = { SdkClient };
