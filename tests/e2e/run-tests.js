// Runs the end-to-end files with Node's test runner, one file at a time, on Node 18 (Debian 12's
// own nodejs) as on Node 20+. `--test-concurrency` and `--test-timeout` came in Node 20.10 and
// 20.11; Node 18 rejects them, so there each file gets a run of its own, in order (every test
// sets its own timeout, lib/fixture.js).
// Usage: node run-tests.js [FILE...] (default: test/*.test.js)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [major, minor] = process.versions.node.split('.').map(Number);
// RELAYER_E2E_PER_FILE=1 takes the Node 18 path on any version (to test it).
const hasRunnerFlags =
  !process.env.RELAYER_E2E_PER_FILE && (major > 20 || (major === 20 && minor >= 11));
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs.readdirSync(path.join(__dirname, 'test'))
      .filter((f) => f.endsWith('.test.js'))
      .sort()
      .map((f) => path.join('test', f));

function run(args) {
  const r = spawnSync(process.execPath, ['--test', ...args], { stdio: 'inherit', cwd: __dirname });
  if (r.error) console.error(r.error);
  return r.status === 0;
}

if (hasRunnerFlags) {
  process.exit(run(['--test-concurrency=1', '--test-timeout=60000', ...files]) ? 0 : 1);
}
const failed = files.filter((f) => !run([f]));
if (failed.length) console.error(`# failed files: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
