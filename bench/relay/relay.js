// Transport ceiling for the S1 benchmark: the subset of Layer that S1 uses, on uWebSockets.js,
// storing nothing. Usage: node relay.js --listen 127.0.0.1:7400   (see README.md)
'use strict';
const uWS = require('@trufflesuite/uws-js-unofficial');

// This package silently falls back to a pure-JS server when its binary does not load; a ceiling
// measured on that would be meaningless, so refuse to start (getParts exists only natively).
if (typeof uWS.getParts !== 'function') {
  console.error('relay: the native uWebSockets.js binary did not load for this Node; refusing to run');
  process.exit(1);
}

const arg = process.argv.indexOf('--listen');
const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(arg > 0 ? process.argv[arg + 1] : '');
if (!m || m[1].split('.').some((o) => +o > 255) || +m[2] > 65535) {
  console.error('usage: node relay.js --listen 127.x.y.z:PORT (loopback only)');
  process.exit(2);
}

const sockets = new Map(); // user id -> Set of open sockets: the only state besides two counters
let nextMessage = 0; // global, so "SENDER~N" names a message and routes its receipts statelessly
const BACKLOG_LIMIT = 64 * 1024 * 1024; // bytes queued for one slow reader before we close it

let stampMs = 0, stamp = ''; // toISOString allocates and formats: once per millisecond is enough
const timestamp = (now = Date.now()) => now === stampMs ? stamp : (stampMs = now, stamp = new Date(now).toISOString());

// Packets are spliced from pre-serialised JSON fragments: nothing is stringified twice.
function send(ws, type, body) {
  const u = ws.getUserData();
  if (!u.open) return;
  const packet = '{"type":"' + type + '","counter":' + u.counter++ + ',"timestamp":"' + timestamp() + '","body":' + body + '}';
  // 0 = queued in user space. A reader that far behind is told to go away (1013 "try again later")
  // instead of losing packets; maxBackpressure sits above the limit so the close frame still fits.
  if (ws.send(packet) === 0 && ws.getBufferedAmount() > BACKLOG_LIMIT) ws.end(1013, 'backpressure');
}

function sendToUser(user, type, body) {
  const set = sockets.get(user);
  if (set) for (const ws of set) ws.cork(() => send(ws, type, body));
}
function errorJson(id, code, message) { // Layer's error object; codes as in src/core/status.h
  return '{"id":"' + id + '","code":' + code + ',"message":' + JSON.stringify(message) + '}';
}
function fail(ws, rid, method, message) {
  if (rid === undefined) return; // no request_id: nothing to answer to
  send(ws, 'response', '{"request_id":' + JSON.stringify(rid) + ',"method":' + (JSON.stringify(method) || 'null') +
    ',"success":false,"data":' + errorJson('invalid_request', 10, message) + '}');
}

function onPacket(ws, text) {
  let req;
  try { req = JSON.parse(text); } catch { return; } // unparsable: no request_id to answer
  const body = req && typeof req.body === 'object' && req.body ? req.body : {};
  const rid = body.request_id, method = body.method;
  if (!req || req.type !== 'request') return fail(ws, rid, method, 'packet type must be request');
  if (method !== 'Message.create') return fail(ws, rid, method, 'only Message.create is relayed');
  const me = ws.getUserData();
  const conv = typeof body.object_id === 'string' ? body.object_id : '';
  const pair = conv.startsWith('layer:///conversations/') ? conv.slice(23).split('~') : [];
  const peer = pair.length !== 2 ? null : pair[0] === me.user ? pair[1] : pair[1] === me.user ? pair[0] : null;
  if (peer === null) return fail(ws, rid, method, 'object_id must be layer:///conversations/A~B, the sender being A or B');
  const parts = body.data && body.data.parts;
  if (!Array.isArray(parts)) return fail(ws, rid, method, 'data.parts must be an array');
  const n = nextMessage++;
  const id = me.messagePrefix + n + '"';
  const common = '"id":' + id + ',"conversation":{"id":' + JSON.stringify(conv) + '},"parts":' + JSON.stringify(parts) +
    ',"sender":{"user_id":' + me.userJson + '}';
  // Response, then change. uWS corks the sender while this handler runs, so on one socket the
  // order is exact; across sockets the response reaches the kernel as soon as the handler returns.
  send(ws, 'response', '{"request_id":' + JSON.stringify(rid) + ',"method":"Message.create","success":true,"data":{' +
    common + ',"position":' + n + '}}');
  sendToUser(peer, 'change', '{"operation":"create","object":{"type":"Message","id":' + id + '},"data":{' + common +
    ',"recipient_status":{' + JSON.stringify('layer:///identities/' + me.user) + ':"read",' +
    JSON.stringify('layer:///identities/' + peer) + ':"sent"},"position":' + n + '}}');
}

function httpError(res, status, id, code, message) {
  res.cork(() => res.writeStatus(status).writeHeader('Content-Type', 'application/json').end(errorJson(id, code, message)));
}

const app = uWS.App().ws('/', {
  compression: uWS.DISABLED,
  maxPayloadLength: 1024 * 1024,
  idleTimeout: 0, // the bench holds idle sockets that send nothing: never time them out
  maxBackpressure: BACKLOG_LIMIT + 4 * 1024 * 1024, // uWS drops sends past this; send() closes first
  upgrade(res, req, context) {
    const user = req.getQuery('session_token'); // the token IS the user id: no auth
    if (!user) return httpError(res, '401 Unauthorized', 'authentication_required', 4, 'session_token is required');
    const offered = req.getHeader('sec-websocket-protocol').split(',').map((p) => p.trim());
    const prefix = JSON.stringify('layer:///messages/' + user + '~').slice(0, -1); // + N + '"' makes a message id
    res.upgrade({ user, userJson: JSON.stringify(user), messagePrefix: prefix, counter: 0, open: true },
      req.getHeader('sec-websocket-key'), offered.includes('layer-2.0') ? 'layer-2.0' : '',
      req.getHeader('sec-websocket-extensions'), context);
  },
  open(ws) {
    const user = ws.getUserData().user;
    if (!sockets.has(user)) sockets.set(user, new Set());
    sockets.get(user).add(ws);
  },
  message(ws, data) {
    try { onPacket(ws, Buffer.from(data).toString('utf8')); } catch { /* bad input must not kill the relay */ }
  },
  close(ws) {
    const u = ws.getUserData(), set = sockets.get(u.user);
    u.open = false;
    if (set && set.delete(ws) && set.size === 0) sockets.delete(u.user);
  },
});

app.post('/messages/:id/receipts', (res, req) => {
  const auth = /^Layer session-token="([^"]+)"$/.exec(req.getHeader('authorization'));
  if (!auth) return httpError(res, '401 Unauthorized', 'authentication_required', 4, 'Layer session-token required');
  let messageId; // "SENDER~N": who gets told, with no lookup
  try { messageId = decodeURIComponent(req.getParameter(0)); } catch { messageId = ''; }
  const tilde = messageId.lastIndexOf('~');
  if (tilde < 1 || !/^\d+$/.test(messageId.slice(tilde + 1))) return httpError(res, '404 Not Found', 'not_found', 102, 'no such message');
  const user = auth[1], sender = messageId.slice(0, tilde);
  let body = Buffer.alloc(0);
  res.onAborted(() => { res.aborted = true; });
  res.onData((chunk, isLast) => {
    if (res.aborted) return;
    body = Buffer.concat([body, Buffer.from(chunk)]); // a copy: uWS reuses the chunk's memory after we return
    if (body.length > 65536) return res.close(); // receipts are tiny; don't buffer floods
    if (!isLast) return;
    let type;
    try { type = JSON.parse(body.toString('utf8')).type; } catch { /* rejected next */ }
    if (type !== 'delivery' && type !== 'read') return httpError(res, '400 Bad Request', 'invalid_request', 10, 'type must be delivery or read');
    res.cork(() => res.writeStatus('204 No Content').endWithoutBody());
    const property = 'recipient_status.layer:///identities/' + user.replace(/\./g, '\\.'); // Layer escapes dots
    sendToUser(sender, 'change', '{"operation":"update","object":{"type":"Message","id":' + JSON.stringify('layer:///messages/' + messageId) +
      '},"data":[{"operation":"set","property":' + JSON.stringify(property) + ',"value":"' + (type === 'read' ? 'read' : 'delivered') + '"}]}');
  });
});

app.any('/*', (res) => httpError(res, '404 Not Found', 'not_found', 102, 'no such route'));

app.listen(m[1], +m[2], (listenSocket) => {
  if (!listenSocket) { console.error('relay: cannot listen on ' + m[1] + ':' + m[2]); process.exit(1); }
  console.log('listening ' + m[1] + ':' + uWS.us_socket_local_port(listenSocket));
  const stop = () => { uWS.us_listen_socket_close(listenSocket); process.exit(0); };
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, stop);
});
