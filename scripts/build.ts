/**
 * `npm run build`: the package's contents in dist/, from lib/ only.
 *
 * 1. tsc -p tsconfig.build.json: lib/ to dist/ (.js and .d.ts), handlers and
 *    the browser helper excluded;
 * 2. each Lambda handler (lib/<pattern>/handler/index.ts) bundled by esbuild
 *    with the options HandlerFunction uses from source (HANDLER_BUNDLING), to
 *    dist/<pattern>/handler/index.js, alone in its directory: the installed
 *    package deploys these as they are, so users need no bundler and no Docker;
 * 3. the browser failover helper copied as is (lib/web-tier/browser/);
 * 4. the lease-gated launcher's container code (lib/runtime/launcher-container/)
 *    bundled by esbuild as the constructs bundle it from source, to
 *    dist/runtime/launcher-container/launcher.bundle.js, alone in its
 *    directory: installed, `leaseMode: LAUNCHER` puts that file in the task
 *    definition (`node -e`), so it synthesizes without esbuild or Docker;
 * 5. the public type surface checked: the declarations reachable from each
 *    entry point import nothing but aws-cdk-lib, constructs, Node.js and (in
 *    lib/runtime and the writer guard) the optional peer @aws-sdk/client-dynamodb.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { bundleLauncher, LAUNCHER_BUNDLE_FILE } from '../lib/lease/launcher-container';
import { HANDLER_BUNDLING } from '../lib/private/handler-function';

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const DIST = path.join(ROOT, 'dist');

/**
 * Declarations of the package's entry points (package.json `exports`), and
 * what they may import besides Node.js, aws-cdk-lib and constructs.
 */
const ENTRY_POINTS: Record<string, string[]> = {
  'index.d.ts': [],
  'runtime/index.d.ts': ['@aws-sdk/client-dynamodb'],
  'config-server/writer-guard.d.ts': ['@aws-sdk/client-dynamodb'],
};

/** `lib/<pattern>/handler/index.ts` of every pattern with a Lambda handler. */
export function handlerEntries(lib = LIB): string[] {
  return fs.readdirSync(lib, { withFileTypes: true })
    .filter(d => d.isDirectory())
    .map(d => path.join(lib, d.name, 'handler', 'index.ts'))
    .filter(f => fs.existsSync(f))
    .sort();
}

/** Bundles one handler to `<outDir>/index.js` (+ `.map`) exactly as HandlerFunction does from source. */
export function bundleHandler(entry: string, outDir: string): void {
  esbuild.buildSync({
    entryPoints: [entry],
    outfile: path.join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: HANDLER_BUNDLING.target,
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    external: HANDLER_BUNDLING.externalModules,
    logLevel: 'warning',
  });
}

/**
 * Writes the launcher's bundle to `<dist>/runtime/launcher-container/`, in
 * place of what tsc compiled there (the container code runs only as the
 * bundle); returns the bundle's path.
 */
export function writeLauncherBundle(lib = LIB, dist = DIST): string {
  const outDir = path.join(dist, 'runtime', 'launcher-container');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, LAUNCHER_BUNDLE_FILE);
  fs.writeFileSync(file, bundleLauncher(path.join(lib, 'runtime', 'launcher-container')));
  return file;
}

/** Bare module specifiers imported by the declarations reachable from `entry`, with the file importing them. */
export function declarationImports(entry: string): Map<string, string> {
  const bare = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec.replace(/\.js$/, ''));
        const next = [`${base}.d.ts`, path.join(base, 'index.d.ts')].find(f => fs.existsSync(f));
        if (!next) throw new Error(`${path.relative(ROOT, file)} imports ${spec}: no declaration file`);
        visit(next);
      } else if (!bare.has(spec)) {
        bare.set(spec, path.relative(ROOT, file));
      }
    }
  };
  visit(entry);
  return bare;
}

function main(): void {
  fs.rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });

  for (const entry of handlerEntries()) {
    const outDir = path.join(DIST, path.relative(LIB, path.dirname(entry)));
    if (fs.existsSync(outDir)) throw new Error(`${path.relative(ROOT, outDir)} was compiled by tsc: library code must not import handler modules`);
    bundleHandler(entry, outDir);
  }

  fs.cpSync(path.join(LIB, 'web-tier', 'browser'), path.join(DIST, 'web-tier', 'browser'), { recursive: true });
  writeLauncherBundle();

  const node = new Set([...builtinModules, ...builtinModules.map(m => `node:${m}`)]);
  const problems: string[] = [];
  for (const [entry, allowed] of Object.entries(ENTRY_POINTS)) {
    for (const [spec, file] of declarationImports(path.join(DIST, entry))) {
      const ok = node.has(spec) || /^(aws-cdk-lib(\/.*)?|constructs)$/.test(spec) || allowed.includes(spec);
      if (!ok) problems.push(`${file} (reachable from ${entry}) imports ${spec}`);
    }
  }
  if (problems.length > 0) {
    throw new Error('the public types import packages users need not have:\n  ' + problems.join('\n  '));
  }
}

if (require.main === module) main();
