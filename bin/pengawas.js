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
require(main).main(process.argv.slice(2));
