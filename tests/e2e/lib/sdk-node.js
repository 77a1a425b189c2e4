'use strict';
// Loads layer-websdk@3.4.18 into this Node.js process, with the shims the SDK
// needs outside a browser (see LAYER-PROTOCOL.md, "Running the Web SDK in Node.js").
// Call once per process: the SDK keeps one Client per app id per realm.

const PackageFileReader = require('filereader');

// The `filereader` package reads its own File objects but not Node's native Blob,
// which is what the SDK makes of non-textual parts (sent base64-encoded).
class FileReader extends PackageFileReader {
  constructor() {
    super();
    this._listeners = {};
    const read = (blob, convert) => {
      this.readyState = 1;
      blob.arrayBuffer().then((ab) => {
        this.result = convert(Buffer.from(ab), blob);
        this.readyState = 2;
        for (const name of ['load', 'loadend']) {
          const evt = { type: name, target: this };
          if (typeof this[`on${name}`] === 'function') this[`on${name}`](evt);
          (this._listeners[name] || []).forEach((fn) => fn(evt));
        }
      });
    };
    const original = {
      readAsDataURL: this.readAsDataURL, readAsText: this.readAsText, readAsArrayBuffer: this.readAsArrayBuffer,
    };
    const originalAdd = this.addEventListener;
    this.addEventListener = (name, fn) => {
      (this._listeners[name] = this._listeners[name] || []).push(fn);
      if (originalAdd) originalAdd.call(this, name, fn);
    };
    this.readAsDataURL = (blob) => (blob instanceof Blob
      ? read(blob, (buf, b) => `data:${b.type || 'application/octet-stream'};base64,${buf.toString('base64')}`)
      : original.readAsDataURL.call(this, blob));
    this.readAsText = (blob, encoding) => (blob instanceof Blob
      ? read(blob, (buf) => buf.toString('utf8'))
      : original.readAsText.call(this, blob, encoding));
    this.readAsArrayBuffer = (blob) => (blob instanceof Blob
      ? read(blob, (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length))
      : original.readAsArrayBuffer.call(this, blob));
  }
}

function loadLayerSdk() {
  if (global.layer && global.layer.Client) return global.layer;

  // Node 20's own atob/btoa make the SDK call atob.bind(window) before window exists.
  delete global.atob;
  delete global.btoa;
  const atob = (s) => Buffer.from(String(s), 'base64').toString('binary');
  const btoa = (s) => Buffer.from(String(s), 'binary').toString('base64');
  global.getNativeSupport = (name) => ({ atob, btoa, FileReader, setImmediate })[name];

  // Without a global WebSocket the SDK believes a connecting socket is already open.
  global.WebSocket = require('websocket').w3cwebsocket;

  // xhr2 cannot send a Blob (rich-content upload); a browser's XHR can.
  const Xhr2 = require('xhr2');
  const originalSend = Xhr2.prototype.send;
  Xhr2.prototype.send = function send(data) {
    if (typeof Blob !== 'undefined' && data instanceof Blob) {
      data.arrayBuffer().then(
        (ab) => originalSend.call(this, Buffer.from(ab)),
        (err) => this.emit && this.emit('error', err));
      return undefined;
    }
    return originalSend.call(this, data);
  };

  // `window` must be absent while the SDK loads (it picks xhr2 then) and present
  // afterwards (it reads window.indexedDB and window.setInterval once authenticated).
  delete global.window;
  const layer = require('layer-websdk');
  global.window = {
    addEventListener() {},
    removeEventListener() {},
    location: { href: 'http://localhost/' },
    setTimeout, clearTimeout, setInterval, clearInterval,
  };
  return layer;
}

module.exports = { loadLayerSdk };
