// Preloaded with `node --require` by the fallback test: makes onnxruntime-node unresolvable,
// as on a platform its package ships no binaries for.
const Module = require('node:module')
const resolve = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  if (request === 'onnxruntime-node' || request.startsWith('onnxruntime-node/')) {
    const err = new Error(`Cannot find module '${request}' (hidden by the fallback test)`)
    err.code = 'MODULE_NOT_FOUND'
    throw err
  }
  return resolve.call(this, request, ...rest)
}
