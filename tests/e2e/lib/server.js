'use strict';
// Starts a real `relayer serve` on 127.0.0.1 with a fresh app, data dir and
// identity key, and stops it (SIGTERM, then SIGKILL) however the test ends.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { IdentityProvider } = require('./identity');

const E2E_DIR = path.resolve(__dirname, '..');
const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;
const LISTENING_RE = /relayer: listening on http:\/\/127\.0\.0\.1:(\d+)/;

function relayerBinary() {
  return process.env.RELAYER_BIN || path.resolve(E2E_DIR, '../../build/apps/relayer');
}

const running = new Set();
process.on('exit', () => {
  for (const server of running) server.kill();
});

class RelayerServer {
  // extraArgs: more `relayer serve` flags, e.g. ['--ws-max-queued-bytes', '65536'].
  constructor({ extraArgs = [] } = {}) {
    this.extraArgs = extraArgs;
    this.identity = new IdentityProvider();
    this.appUuid = crypto.randomUUID();
    this.appId = `layer:///apps/staging/${this.appUuid}`;
    this.platformToken = crypto.randomBytes(24).toString('hex');
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'relayer-e2e-'));
    this.dataDir = path.join(this.root, 'data');
    this.keyFile = path.join(this.root, 'identity-key.pem');
    this.output = [];
    this.child = null;
    this.port = 0;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }
  get websocketUrl() { return `ws://127.0.0.1:${this.port}`; }

  // The last lines relayer printed, for assertion messages.
  log(lines = 40) { return this.output.slice(-lines).join('\n'); }

  async start() {
    const bin = relayerBinary();
    if (!fs.existsSync(bin)) {
      throw new Error(`relayer binary not found at ${bin}: build the relayer target or set RELAYER_BIN`);
    }
    fs.mkdirSync(this.dataDir);
    fs.writeFileSync(this.keyFile, this.identity.publicKeyPem);
    const args = [
      'serve',
      '--data', this.dataDir,
      '--listen', '127.0.0.1:0',
      '--app-id', this.appUuid,
      '--provider-id', this.identity.providerId,
      '--identity-key', `${this.identity.keyId}=${this.keyFile}`,
      '--platform-token', this.platformToken,
      ...this.extraArgs,
    ];
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this);
    const collect = (stream, tag) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) {
          this.output.push(`[${tag}] ${line}`);
          if (this.output.length > 2000) this.output.shift();
          if (process.env.E2E_VERBOSE) process.stderr.write(`relayer ${tag}: ${line}\n`);
          if (tag === 'out' && !this.port) {
            const m = LISTENING_RE.exec(line);
            if (m) this._onListening(Number(m[1]));
          }
        }
      });
    };
    collect(this.child.stdout, 'out');
    collect(this.child.stderr, 'err');
    this.stopping = false;
    this.child.once('exit', (code, signal) => {
      if (!this.stopping) this.output.push(`[exit] relayer died during the test (code ${code}, signal ${signal})`);
    });

    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`relayer did not print "relayer: listening on http://127.0.0.1:PORT" ` +
          `within ${START_TIMEOUT_MS} ms\n${this.log()}`));
      }, START_TIMEOUT_MS);
      this._onListening = (port) => {
        clearTimeout(timer);
        this.port = port;
        resolve();
      };
      this.child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${err.message}`));
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!this.port) {
          reject(new Error(`relayer exited (code ${code}, signal ${signal}) before listening\n${this.log()}`));
        }
      });
    }).catch((err) => { this.kill(); throw err; });
    return this;
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this._cleanup();
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this._cleanup();
  }

  kill() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
    this._cleanup();
  }

  _cleanup() {
    running.delete(this);
    if (!process.env.E2E_KEEP_DATA) fs.rmSync(this.root, { recursive: true, force: true });
  }

  // Plain HTTP to the server (not through the SDK), for setup and checks.
  async request(method, urlPath, { body, headers = {}, sessionToken } = {}) {
    const h = { accept: 'application/vnd.layer+json; version=2.0', ...headers };
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    if (sessionToken) h.authorization = `Layer session-token="${sessionToken}"`;
    let res;
    try {
      res = await fetch(this.url + urlPath, {
        method,
        headers: h,
        body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      throw new Error(`${method} ${urlPath}: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}\n${this.log(20)}`);
    }
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch (e) { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  }

  // A session for `userId` obtained over REST, as a non-SDK client would.
  async createSession(userId, profile = {}) {
    const nonceRes = await this.request('POST', '/nonces');
    if (nonceRes.status !== 201 || !nonceRes.json || !nonceRes.json.nonce) {
      throw new Error(`POST /nonces: expected 201 {nonce}, got ${nonceRes.status} ${nonceRes.text}`);
    }
    const token = this.identity.sign({ userId, nonce: nonceRes.json.nonce, profile });
    const res = await this.request('POST', '/sessions', { body: { identity_token: token, app_id: this.appId } });
    if (res.status !== 201 || !res.json || !res.json.session_token) {
      throw new Error(`POST /sessions: expected 201 {session_token}, got ${res.status} ${res.text}`);
    }
    return res.json.session_token;
  }
}

async function startServer(options) {
  const server = new RelayerServer(options);
  await server.start();
  return server;
}

module.exports = { RelayerServer, startServer, relayerBinary };
