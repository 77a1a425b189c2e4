'use strict';
// Child process: one user's layer-websdk Client, driven over IPC by lib/client.js.
// Parent → child: {id, cmd, args}. Child → parent: {id, ok, result | error} for
// commands, {event, data} for SDK events (serialized to plain JSON).

const { loadLayerSdk } = require('./sdk-node');

const layer = loadLayerSdk();
const config = JSON.parse(process.argv[2]);

const client = new layer.Client({
  appId: config.appId,
  url: config.url,
  websocketUrl: config.websocketUrl,
  isTrustedDevice: false,
  logLevel: config.verbose ? layer.Constants.LOG.INFO : layer.Constants.LOG.ERROR,
});

let pendingChallenge = null;
const queries = new Map();
const publishers = new Map();

// Events go out in the order the SDK fired them, even when serializing one
// waits (reading a Blob part).
let emitQueue = Promise.resolve();
function emit(event, data) {
  emitQueue = emitQueue.then(() => data).then((resolved) => {
    if (process.connected) process.send({ event, data: resolved });
  }, (err) => process.stderr.write(`cannot serialize ${event}: ${err && err.stack}\n`));
}

// JSON-safe copy: SDK objects become their ids, Dates ISO strings.
function plain(value) {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (key, v) => (v instanceof layer.Root ? v.id : v)));
}

function identity(i) {
  if (!i) return null;
  return { id: i.id, userId: i.userId, displayName: i.displayName };
}

// A non-textual part's body is a Blob in the SDK (sent and received base64-encoded).
async function partBody(p) {
  if (typeof p.body === 'string') return p.body;
  if (p.body instanceof Blob) return p.body.text();
  return null;
}

// Snapshot now (receipt state may change while a Blob part is read).
async function message(m) {
  const snapshot = {
    id: m.id,
    conversationId: m.conversationId,
    position: m.position,
    isSaved: m.isSaved(),
    sender: m.sender ? identity(m.sender) : null,
    isRead: m.isRead,
    readStatus: m.readStatus,
    deliveryStatus: m.deliveryStatus,
    recipientStatus: plain(m.recipientStatus || {}),
    sentAt: m.sentAt ? m.sentAt.toISOString() : null,
  };
  const parts = m.parts || [];
  const meta = parts.map((p) => ({
    id: p.id, mimeType: p.mimeType, isBlob: p.body instanceof Blob, hasContent: Boolean(p._content),
  }));
  const bodies = await Promise.all(parts.map(partBody));
  snapshot.parts = meta.map((p, i) => ({ ...p, body: bodies[i] }));
  return snapshot;
}

function conversation(c) {
  return {
    id: c.id,
    isSaved: c.isSaved(),
    createdAt: c.createdAt ? c.createdAt.toISOString() : null,
    participants: c.participants.map((p) => p.userId).sort(),
    distinct: c.distinct,
    metadata: plain(c.metadata || {}),
    unreadCount: c.unreadCount,
    lastMessageId: c.lastMessage ? c.lastMessage.id : null,
    isCurrentParticipant: c.isCurrentParticipant,
  };
}

function changes(evt) {
  return (evt.changes || []).map((ch) => {
    const mapIds = (v) => (Array.isArray(v) && v.every((x) => x instanceof layer.Identity)
      ? v.map((x) => x.userId).sort() : plain(v === undefined ? null : v));
    return { property: ch.property, oldValue: mapIds(ch.oldValue), newValue: mapIds(ch.newValue) };
  });
}

// A command's answer goes after the events fired before it.
function reply(msg) {
  emitQueue = emitQueue.then(() => { if (process.connected) process.send(msg); });
}

// ---- events forwarded to the test ----
client.on('challenge', (evt) => {
  pendingChallenge = evt.callback;
  emit('challenge', { nonce: evt.nonce });
});
for (const name of ['connected', 'authenticated', 'ready', 'deauthenticated']) {
  client.on(name, () => emit(name, {}));
}
client.on('connected-error', (evt) => emit('connected-error', { error: plain(evt.error) }));
client.on('authenticated-error', (evt) => emit('authenticated-error', { error: plain(evt.error) }));
client.on('online', (evt) => emit('online', { isOnline: evt.isOnline }));
client.on('messages:add', (evt) => emit('messages:add', Promise.all(evt.messages.map(message))
  .then((messages) => ({ messages }))));
client.on('messages:change', (evt) => {
  const c = changes(evt);
  emit('messages:change', message(evt.target).then((msg) => ({ message: msg, changes: c })));
});
client.on('messages:remove', (evt) => emit('messages:remove', { messages: evt.messages.map((m) => m.id) }));
client.on('conversations:add', (evt) => emit('conversations:add', { conversations: evt.conversations.map(conversation) }));
client.on('conversations:change', (evt) => emit('conversations:change', { conversation: conversation(evt.target), changes: changes(evt) }));
client.on('conversations:remove', (evt) => emit('conversations:remove', { conversations: evt.conversations.map((c) => c.id) }));
client.on('conversations:delete', (evt) => emit('conversations:delete', { id: evt.target && evt.target.id }));
client.on('typing-indicator-change', (evt) => emit('typing-indicator-change', {
  conversationId: evt.conversationId,
  typing: evt.typing.map((i) => i.userId).sort(),
  paused: evt.paused.map((i) => i.userId).sort(),
}));
const socket = client.socketManager;
socket.on('connected', (evt) => emit('socket:connected', { verified: Boolean(evt.verified) }));
socket.on('disconnected', () => emit('socket:disconnected', {}));
socket.on('synced', () => emit('socket:synced', {}));
socket.on('replaying-events', (evt) => emit('socket:replaying-events', { why: evt.why }));
socket.on('message', (evt) => {
  const d = evt.data || {};
  emit('socket:packet', { type: d.type, counter: d.counter, body: config.recordPackets ? d.body : undefined });
});

// ---- helpers ----
function once(target, okEvent, errEvent) {
  return new Promise((resolve, reject) => {
    const onOk = (evt) => { if (errEvent) target.off(errEvent, onErr); resolve(evt); };
    const onErr = (evt) => {
      target.off(okEvent, onOk);
      reject(new Error(`${errEvent}: ${JSON.stringify(plain(evt.error || evt))}`));
    };
    target.once(okEvent, onOk);
    if (errEvent) target.once(errEvent, onErr);
  });
}

async function findConversation(id) {
  let conv = client.getConversation(id, false);
  if (conv) return conv;
  conv = client.getConversation(id, true);
  if (!conv) throw new Error(`conversation ${id} cannot be loaded`);
  if (conv.isLoading) await once(conv, 'conversations:loaded', 'conversations:loaded-error');
  return conv;
}

async function findMessage(id) {
  let m = client.getMessage(id, false);
  if (m) return m;
  m = client.getMessage(id, true);
  if (!m) throw new Error(`message ${id} cannot be loaded`);
  if (m.isLoading) await once(m, 'messages:loaded', 'messages:loaded-error');
  return m;
}

function waitIdle(query) {
  return new Promise((resolve) => {
    const tick = () => (query.isFiring ? setTimeout(tick, 20) : resolve());
    setTimeout(tick, 20);
  });
}

async function queryState(query) {
  const data = await Promise.all(query.data.map((item) => (query.model === layer.Query.Message ? message(item) : conversation(item))));
  return { id: query.id, data, totalSize: query.totalSize, pagedToEnd: query.pagedToEnd, size: query.size };
}

function publisherFor(conv) {
  let pub = publishers.get(conv.id);
  if (!pub) {
    pub = client.createTypingPublisher();
    pub.setConversation(conv);
    publishers.set(conv.id, pub);
  }
  return pub;
}

// ---- commands ----
const commands = {
  connect() {
    return new Promise((resolve, reject) => {
      const done = (err) => {
        client.off('ready', onReady);
        client.off('authenticated-error', onAuthError);
        client.off('connected-error', onConnectError);
        if (err) reject(err);
        else resolve({ user: identity(client.user), sessionToken: client.sessionToken });
      };
      const onReady = () => done();
      const onAuthError = (evt) => done(new Error(`authenticated-error: ${JSON.stringify(plain(evt.error))}`));
      const onConnectError = (evt) => done(new Error(`connected-error: ${JSON.stringify(plain(evt.error))}`));
      client.on('ready', onReady);
      client.on('authenticated-error', onAuthError);
      client.on('connected-error', onConnectError);
      client.connect(config.userId);
    });
  },

  answerChallenge({ identityToken }) {
    if (!pendingChallenge) throw new Error('no challenge pending');
    const cb = pendingChallenge;
    pendingChallenge = null;
    cb(identityToken);
    return true;
  },

  state() {
    return {
      isConnected: client.isConnected,
      isAuthenticated: client.isAuthenticated,
      isReady: client.isReady,
      isOnline: client.isOnline,
      socketOpen: socket.isOpen,
      user: client.user ? identity(client.user) : null,
    };
  },

  async createConversation({ participants, distinct = true, metadata }) {
    const options = { participants, distinct };
    if (metadata) options.metadata = metadata;
    const conv = client.createConversation(options);
    const sent = once(conv, 'conversations:sent', 'conversations:sent-error');
    conv.send();
    const evt = await sent;
    return { result: evt.result, conversation: conversation(conv) };
  },

  async getConversation({ id, load = true }) {
    const conv = load ? await findConversation(id) : client.getConversation(id, false);
    return conv ? conversation(conv) : null;
  },

  async sendMessage({ conversationId, parts, notification }) {
    const conv = await findConversation(conversationId);
    // A part given as {mimeType, base64} carries binary bytes: the SDK gets them as a Blob.
    const sdkParts = typeof parts === 'string' ? parts : parts.map((p) => (p.base64 === undefined ? p
      : { mimeType: p.mimeType, body: new Blob([Buffer.from(p.base64, 'base64')], { type: p.mimeType }) }));
    const msg = conv.createMessage(typeof sdkParts === 'string' ? sdkParts : { parts: sdkParts });
    const sent = once(msg, 'messages:sent', 'messages:sent-error');
    msg.send(notification);
    await sent;
    return message(msg);
  },

  async getMessage({ id, load = false }) {
    const m = load ? await findMessage(id) : client.getMessage(id, false);
    return m ? message(m) : null;
  },

  // Downloads a rich-content part (body over 2 KB) and resolves with its text, or with its
  // bytes base64-encoded when `binary` is set.
  async fetchContent({ messageId, index, binary = false }) {
    const m = await findMessage(messageId);
    const part = m.parts[index];
    if (!part) throw new Error(`message ${messageId} has no part ${index}`);
    if (!part._content) throw new Error(`part ${index} of ${messageId} has no content (not rich content)`);
    const body = await new Promise((resolve, reject) => {
      part.once('content-loaded-error', (err) => reject(new Error(`content-loaded-error: ${JSON.stringify(plain(err))}`)));
      part.fetchContent(resolve);
    });
    if (binary) {
      if (!(body instanceof Blob)) throw new Error(`part ${index} did not download as a Blob`);
      return Buffer.from(await body.arrayBuffer()).toString('base64');
    }
    return body instanceof Blob ? body.text() : body;
  },

  async markRead({ messageId }) {
    const m = await findMessage(messageId);
    // The SDK dereferences the message's conversation when marking it read.
    await findConversation(m.conversationId);
    m.isRead = true;
    return message(m);
  },

  async markAllRead({ conversationId }) {
    const conv = await findConversation(conversationId);
    conv.markAllMessagesAsRead();
    return true;
  },

  async addParticipants({ conversationId, participants }) {
    const conv = await findConversation(conversationId);
    conv.addParticipants(participants);
    return conversation(conv);
  },

  async removeParticipants({ conversationId, participants }) {
    const conv = await findConversation(conversationId);
    conv.removeParticipants(participants);
    return conversation(conv);
  },

  async setMetadata({ conversationId, properties }) {
    const conv = await findConversation(conversationId);
    conv.setMetadataProperties(properties);
    return conversation(conv);
  },

  async createQuery({ model, predicate, paginationWindow, sortBy }) {
    const options = { client, model: layer.Query[model] };
    if (!options.model) throw new Error(`unknown query model ${model}`);
    if (predicate) options.predicate = predicate;
    if (paginationWindow) options.paginationWindow = paginationWindow;
    if (sortBy) options.sortBy = sortBy;
    const query = client.createQuery(options);
    queries.set(query.id, query);
    query.on('change', (evt) => emit('query:change', { queryId: query.id, type: evt.type }));
    query.on('error', (evt) => emit('query:error', { queryId: query.id, error: plain(evt.error) }));
    await waitIdle(query);
    return queryState(query);
  },

  async updateQuery({ queryId, paginationWindow }) {
    const query = queries.get(queryId);
    if (!query) throw new Error(`unknown query ${queryId}`);
    query.update({ paginationWindow });
    await waitIdle(query);
    return queryState(query);
  },

  queryState({ queryId }) {
    const query = queries.get(queryId);
    if (!query) throw new Error(`unknown query ${queryId}`);
    return queryState(query);
  },

  async typing({ conversationId, state }) {
    const conv = await findConversation(conversationId);
    publisherFor(conv).setState(state);
    return true;
  },

  typingState({ conversationId }) {
    const s = client.getTypingState(conversationId);
    return { typing: s.typing.map((i) => i.userId).sort(), paused: s.paused.map((i) => i.userId).sort() };
  },

  goOffline() {
    client.disconnect();
    return true;
  },

  goOnline() {
    client.reconnect();
    return true;
  },

  logout() {
    return new Promise((resolve) => client.logout(() => resolve(true)));
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
    const result = await commands[cmd](args || {});
    reply({ id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    reply({ id, ok: false, error: String(err && err.stack ? err.stack : err) });
  }
});

process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (err) => {
  process.stderr.write(`client-host ${config.userId}: uncaught ${err && err.stack}\n`);
  emit('host:error', { error: String(err && err.stack) });
});

emit('host:ready', {});
