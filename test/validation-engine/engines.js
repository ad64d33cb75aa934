/**
 * The CloudFormation validation engine of aws-cdk-lib's built-in validation
 * (`@aws/cloudformation-validate`, WebAssembly), one per configuration per
 * Jest worker.
 *
 * Why: Jest gives every test file its own copy of aws-cdk-lib, and so its own
 * engine. Building one takes about 2 s (it loads every resource schema), and
 * aws-cdk-lib builds a new one whenever a template brings a resource type the
 * last engine was not built for, although the configuration is the same
 * (it holds rules for a few resource types only; none of ours). Node loads
 * this module once per worker (see ./index.js), so each configuration's engine
 * is built once and every test file's validation uses it.
 *
 * What stays the same: the engine is built from the configuration aws-cdk-lib
 * gives, and validates the template aws-cdk-lib gives with the options it
 * gives; the report goes back unchanged. Only the arguments are copied into
 * this realm (the package accepts only its own realm's plain objects).
 */
const { createRequire } = require('module');

const validate = createRequire(require.resolve('aws-cdk-lib/package.json'))('@aws/cloudformation-validate');

/** Engines by their configuration (JSON). */
const engines = new Map();

/** A copy of a JSON value made in this realm (the configurations and options are JSON: strings, arrays, records). */
function copy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The key of an engine's configuration: equal configurations (JSON) share an engine. */
function engineKey(config) {
  return JSON.stringify(copy(config ?? {}));
}

class CompositeEngine {
  constructor(config) {
    const key = engineKey(config);
    if (!engines.has(key)) engines.set(key, new validate.CompositeEngine(JSON.parse(key)));
    this.engine = engines.get(key);
  }

  validateTemplate(template, config) {
    return this.engine.validateTemplate(template, copy(config));
  }

  listRules() {
    return this.engine.listRules();
  }

  engineName() {
    return this.engine.engineName();
  }

  /** Shared with the worker's other test files: freed when the worker exits. */
  free() {}
}

/** How many engines this worker has built (for the tests of this module). */
function engineCount() {
  return engines.size;
}

module.exports = { ...validate, CompositeEngine, engineCount, engineKey };
