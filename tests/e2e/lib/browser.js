'use strict';
// The Web SDK as a browser runs it: bundled by esbuild into a page that a tiny
// local http server (another origin than relayer) serves, with the app's own
// identity-token endpoint beside it, opened in headless Chromium.

const http = require('node:http');
const path = require('node:path');
const esbuild = require('esbuild');

const E2E_DIR = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function bundleSdk() {
  const result = await esbuild.build({
    stdin: { contents: "window.layer = require('layer-websdk');", resolveDir: E2E_DIR, sourcefile: 'entry.js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    define: { global: 'window' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>relayer e2e</title>
<script src="/layer-websdk.js"></script></head>
<body><p id="status">loaded</p></body></html>`;

// Serves the page, the bundle and GET /identity-token?user=&nonce= (the app's
// backend signing for `server`'s identity provider) on 127.0.0.1.
async function startPageServer(server) {
  const bundle = await bundleSdk();
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else if (url.pathname === '/layer-websdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(bundle);
    } else if (url.pathname === '/identity-token') {
      const userId = url.searchParams.get('user');
      const token = server.identity.sign({
        userId,
        nonce: url.searchParams.get('nonce'),
        profile: { display_name: `Browser ${userId}` },
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ identity_token: token }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    }),
  };
}

async function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20000 });
}

module.exports = { bundleSdk, startPageServer, launchChromium, CHROMIUM };
