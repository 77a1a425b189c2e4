'use strict';
// Loads layer-websdk@3.4.18 into this Node.js process, with the shims the SDK
// needs outside a browser (see LAYER-PROTOCOL.md, "Running the Web SDK in Node.js").
// Call once per process: the SDK keeps one Client per app id per realm.

const FileReader = require('filereader');

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
