/**
 * Jest transformer: transpile-only TypeScript through esbuild (already a
 * dependency for Lambda bundling). `npm run typecheck` does the type checks.
 * Chosen over @swc/jest because the npm registry this project installs from
 * serves only Linux builds of swc's (and Jest 30's resolver's) native
 * packages, and `npm ci` then rejects the lockfile.
 */
const { transformSync } = require('esbuild');

module.exports = {
  process(sourceText, sourcePath) {
    const result = transformSync(sourceText, {
      loader: sourcePath.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: sourcePath,
    });
    return { code: result.code };
  },
};
