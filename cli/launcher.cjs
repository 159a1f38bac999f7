#!/usr/bin/env node
// The `corral` executable: loads the bundled CLI (cli-main.js) with V8's code cache, so a command
// does not recompile the CLI every time it starts (about a quarter of its start-up on Node 20).
// Node 22 has this built in (module.enableCompileCache); this is the same thing for Node 20.
// The cache sits beside the bundle; a missing, stale (other Node) or unwritable cache only costs
// the compile it would have saved.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, 'cli-main.js');
const cacheFile = path.join(__dirname, 'cli-main.cache');

let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // No cache yet: written when this run ends.
}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
const main = new Module(file, module);
main.filename = file;
main.paths = Module._nodeModulePaths(__dirname);
const localRequire = (id) => main.require(id);
localRequire.resolve = (request) => Module._resolveFilename(request, main);
localRequire.main = main;
localRequire.cache = require.cache;

if (cachedData === undefined || script.cachedDataRejected) {
  // After the command ran, so the cache holds every function it compiled, not only the top level.
  process.once('exit', () => {
    const temp = `${cacheFile}.${process.pid}`;
    try {
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile);
    } catch {
      fs.rmSync(temp, { force: true });
    }
  });
}
script.runInThisContext().call(main.exports, main.exports, localRequire, main, file, __dirname);
