/**
 * What Jest loads for `@aws/cloudformation-validate` (jest.config.js,
 * moduleNameMapper): ./engines.js, loaded by Node itself rather than by Jest's
 * registry of the test file, so that it lives as long as the worker (see there
 * why). Where Node cannot load it so (no `process.getBuiltinModule`, before
 * Node 20.16), the package itself, as without the mapping.
 */
const path = require('path');

const nodeModule = process.getBuiltinModule?.('module');
const packagePath = () => require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] });

module.exports = nodeModule ? nodeModule.createRequire(__filename)('./engines.js') : require(packagePath());
