/**
 * Jest transformer: transpile-only TypeScript through esbuild (already a
 * dependency for Lambda bundling). `npm run typecheck` does the type checks.
 * Chosen over @swc/jest because the npm registry this project installs from
 * serves only Linux builds of swc's (and Jest 30's resolver's) native
 * packages, and `npm ci` then rejects the lockfile.
 */
const crypto = require('crypto');
const fs = require('fs');
const { transformSync, version } = require('esbuild');

const OPTIONS = { format: 'cjs', target: 'node20', sourcemap: 'inline' };

/** Jest caches transformed files by this key; it changes with this file and the esbuild version too. */
const SELF = crypto.createHash('sha1').update(fs.readFileSync(__filename)).update(version).digest('hex');

module.exports = {
  process(sourceText, sourcePath) {
    const result = transformSync(sourceText, {
      ...OPTIONS,
      loader: sourcePath.endsWith('.ts') ? 'ts' : 'js',
      sourcefile: sourcePath,
    });
    return { code: result.code };
  },
  getCacheKey(sourceText, sourcePath, { configString }) {
    return crypto.createHash('sha1').update(SELF).update('\0').update(sourcePath).update('\0')
      .update(configString).update('\0').update(sourceText).digest('hex');
  },
};
