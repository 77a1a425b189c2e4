// Hand-run smoke check of relay.js: node check.js [PORT]   (default 7400, loopback only)
// Uses Node's built-in WebSocket client (global from Node 22; behind a flag in Node 20).
'use strict';
if (typeof WebSocket === 'undefined') {
  const r = require('child_process').spawnSync(process.execPath, ['--experimental-websocket', __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
const { spawn } = require('child_process');
const http = require('http');
const base = '127.0.0.1:' + (process.argv[2] || 7400);
let passed = 0, failed = 0;
const check = (ok, what) => { ok ? passed++ : failed++; console.log((ok ? 'ok   ' : 'FAIL ') + what); };

function open(user) { // resolves with { ws, next() } where next() awaits the next packet
  return new Promise((resolve, reject) => {
    const ws = new WebSocket('ws://' + base + '/?session_token=' + user, 'layer-2.0');
    const queue = [], waiters = [];
    ws.onmessage = (e) => { const p = JSON.parse(e.data); waiters.length ? waiters.shift()(p) : queue.push(p); };
    ws.onopen = () => resolve({ ws, next: (ms = 2000) => queue.length ? Promise.resolve(queue.shift())
      : new Promise((res, rej) => { waiters.push(res); setTimeout(() => rej(new Error('timeout waiting for a packet')), ms); }) });
    ws.onerror = () => reject(new Error('cannot open socket for ' + user));
  });
}
const receipt = (id, user, body) => fetch('http://' + base + '/messages/' + id + '/receipts', {
  method: 'POST', headers: user ? { Authorization: 'Layer session-token="' + user + '"' } : {}, body });
const create = (ws, rid, conv, parts) => ws.send(JSON.stringify({ type: 'request', body: {
  method: 'Message.create', request_id: rid, object_id: 'layer:///conversations/' + conv, data: { parts } } }));
function upgradeStatus(path) {
  return new Promise((resolve) => http.get({ host: base.split(':')[0], port: +base.split(':')[1], path, headers: {
    Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } })
    .on('response', (r) => { r.resume(); resolve(r.statusCode); }).on('upgrade', (r, s) => { s.destroy(); resolve(101); }));
}

(async () => {
  const relay = spawn(process.execPath, [__dirname + '/relay.js', '--listen', base], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve) => relay.stdout.once('data', (d) => resolve(String(d).trim())));
  check(line === 'listening ' + base, 'relay printed "' + line + '"');
  try {
    check(await upgradeStatus('/') === 401, 'upgrade without session_token -> 401');
    const alice = await open('alice'), bob = await open('bob');
    check(alice.ws.protocol === 'layer-2.0', 'subprotocol layer-2.0 echoed');
    const parts = [{ body: 'hello', mime_type: 'text/plain' }, { body: '{"seq":1}', mime_type: 'application/json' }];
    create(alice.ws, 'r1', 'alice~bob', parts);
    const resp = await alice.next(), chg = await bob.next();
    console.log('  alice got: ' + JSON.stringify(resp) + '\n  bob got:   ' + JSON.stringify(chg));
    const id = resp.body.data.id;
    check(resp.type === 'response' && resp.counter === 0 && resp.body.success === true && resp.body.request_id === 'r1' &&
      /^layer:\/\/\/messages\/alice~\d+$/.test(id) && !isNaN(Date.parse(resp.timestamp)), 'alice: response, counter 0, success');
    check(chg.type === 'change' && chg.counter === 0 && chg.body.operation === 'create' && chg.body.object.id === id &&
      JSON.stringify(chg.body.data.parts) === JSON.stringify(parts) && chg.body.data.sender.user_id === 'alice' &&
      chg.body.data.recipient_status['layer:///identities/bob'] === 'sent', 'bob: create change with the parts');
    const r = await receipt(id.slice(18), 'bob', '{"type":"delivery"}');
    check(r.status === 204 && (await r.text()) === '', 'delivery receipt as bob -> 204, no body');
    const upd = await alice.next();
    console.log('  alice got: ' + JSON.stringify(upd));
    check(upd.type === 'change' && upd.counter === 1 && upd.body.operation === 'update' && upd.body.object.id === id &&
      upd.body.data[0].property === 'recipient_status.layer:///identities/bob' && upd.body.data[0].value === 'delivered',
      'alice: update change delivered, counter 1');
    // Bad input: none of it may kill the relay.
    alice.ws.send('{not json');
    alice.ws.send('null');
    alice.ws.send(JSON.stringify({ type: 'request', body: { method: 'Conversation.delete', request_id: 'r2' } }));
    const bad = await alice.next();
    check(bad.body.success === false && bad.body.request_id === 'r2' && bad.body.data.id === 'invalid_request', 'unknown method -> success:false');
    create(alice.ws, 'r3', 'carol~dave', parts);
    check((await alice.next()).body.success === false, 'sender not in conversation -> success:false');
    check((await receipt(id.slice(18), 'bob', '{"type":"seen"}')).status === 400, 'bad receipt type -> 400');
    check((await receipt(id.slice(18), 'bob', 'garbage')).status === 400, 'unparsable receipt body -> 400');
    check((await receipt(id.slice(18), null, '{"type":"read"}')).status === 401, 'receipt without auth -> 401');
    const nf = await fetch('http://' + base + '/nope');
    check(nf.status === 404 && (await nf.json()).id === 'not_found', 'unknown route -> 404 JSON');
    create(bob.ws, 'r4', 'alice~bob', [{ body: 'still alive', mime_type: 'text/plain' }]);
    const [r4, c4] = [await bob.next(), await alice.next()];
    check(r4.body.success && c4.body.operation === 'create' && c4.counter === 4, 'relay still relays after bad input');
    alice.ws.close(); bob.ws.close();
  } catch (e) {
    check(false, String(e));
  }
  relay.kill('SIGTERM');
  const code = await new Promise((resolve) => relay.on('exit', (c) => resolve(c)));
  check(code === 0, 'relay exited 0 on SIGTERM');
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
})();
