#!/usr/bin/env node
'use strict';
// Runs the compiled CLI; `npm ci` builds dist/ through the `prepare` script.
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('pengawas: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
enableCompileCache();
require(main).main(process.argv.slice(2));

/**
 * Node 22.1 and later keep V8's compiled code of every module between runs (module.enableCompileCache): a cold
 * `pengawas probe tls` on Node 26 starts sooner (`npm run bench:cli-start`). The cache is the user's own
 * ($XDG_CACHE_HOME or ~/.cache, then pengawas/node-compile-cache), never Node's default in the shared temporary
 * folder, where another user could leave compiled code for this process to run. NODE_COMPILE_CACHE=DIR chooses
 * another folder and NODE_DISABLE_COMPILE_CACHE=1 turns it off (both read by Node itself). A folder that cannot be
 * written leaves the cache off; Node 20 has none.
 */
function enableCompileCache() {
  const mod = require('node:module');
  if (typeof mod.enableCompileCache !== 'function' || process.env.NODE_COMPILE_CACHE) return;
  try {
    const base = process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache');
    mod.enableCompileCache(path.join(base, 'pengawas', 'node-compile-cache'));
  } catch {
    // no home folder, or the cache cannot be opened: run without it
  }
}
