/**
 * `npm run build`: the package's contents (dist/ and the jsii assembly
 * `.jsii`), from lib/ only.
 *
 * 1. jsii (package.json `jsii`): lib/ to dist/ (.js and .d.ts) and the
 *    assembly `.jsii` that jsii-pacmak turns into the Python, Java, .NET and
 *    Go bindings and Construct Hub lists; a jsii warning fails the build. jsii
 *    writes its compiler settings to tsconfig.jsii.json (not the repository's
 *    tsconfig.json). The TypeScript-only code is outside the assembly
 *    (`excludeTypescript`): the handlers, lib/runtime and the browser helper;
 * 2. lib/runtime (the lease, checkpoint and metrics clients users' own
 *    processes import, `cdk-ha-patterns/lib/runtime`) compiled by tsc -p
 *    tsconfig.build.json into dist/runtime/;
 * 3. each Lambda handler (lib/<pattern>/handler/index.ts) bundled by esbuild
 *    with the options HandlerFunction uses from source (HANDLER_BUNDLING), to
 *    dist/<pattern>/handler/index.js, alone in its directory: the installed
 *    package deploys these as they are, so users need no bundler and no Docker;
 * 4. the browser failover helper copied as is (lib/web-tier/browser/);
 * 5. the lease-gated launcher's container code (lib/runtime/launcher-container/)
 *    bundled by esbuild as the constructs bundle it from source, to
 *    dist/runtime/launcher-container/launcher.bundle.js, alone in its
 *    directory: installed, `leaseMode: LAUNCHER` puts that file in the task
 *    definition (`node -e`), so it synthesizes without esbuild or Docker;
 * 6. each command of package.json `bin` (jsii compiled it from lib/): it must
 *    start with a `#!/usr/bin/env node` line, and is made executable;
 * 7. the public type surface checked: the declarations reachable from each
 *    entry point import nothing but aws-cdk-lib, constructs, Node.js and (in
 *    lib/runtime and the writer guard) the optional peer @aws-sdk/client-dynamodb.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { bundleLauncher, LAUNCHER_BUNDLE_FILE } from '../lib/lease/launcher-container';
import { HANDLER_BUNDLING } from '../lib/private/handler-function';

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const DIST = path.join(ROOT, 'dist');
/** The assembly jsii writes beside package.json. */
const ASSEMBLY = path.join(ROOT, '.jsii');

/**
 * jsii warnings the build accepts, each with its reason. jsii wants the
 * devDependency of each peer pinned to the peer's floor, so the tests run
 * against the oldest version users may have; constructs is ^10.8.1 here (the
 * consumer check tests 10.8.1) while the peer floor stays 10.5.1, the floor
 * aws-cdk-lib 2.276 needs. Pinning it to 10.5.1 removes this entry.
 */
const ACCEPTED_JSII_WARNINGS = [/warning JSII6: A "peerDependency" on "constructs" at "\^10\.5\.1"/];

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

/**
 * Runs jsii over the project (package.json `jsii`): dist/ and `.jsii`. Fails on
 * a compile error and on any warning but those ACCEPTED_JSII_WARNINGS lists
 * (jsii's --fail-on-warnings covers the assembly's warnings, not those about
 * package.json). Returns the number of types in the assembly.
 */
export function compileAssembly(root = ROOT): number {
  const jsii = path.join(path.dirname(require.resolve('jsii/package.json')), 'bin', 'jsii');
  const result = spawnSync(process.execPath, [jsii, '--fail-on-warnings', '--generate-tsconfig', 'tsconfig.jsii.json'], {
    cwd: root, encoding: 'utf8',
  });
  // Without the banner newer jsii prints on Node.js 20 (a box of '!').
  const output = `${result.stdout}${result.stderr}`.split('\n').filter(l => !/^!!/.test(l)).join('\n').trim();
  if (output) console.log(output);
  if (result.status !== 0) {
    // jsii may leave an assembly of a failed compilation: nothing stale gets packed.
    fs.rmSync(path.join(root, '.jsii'), { force: true });
    throw new Error(`jsii failed (exit ${result.status})`);
  }
  const warnings = output.split('\n').filter(l => /warning JSII\d+/.test(l) && !ACCEPTED_JSII_WARNINGS.some(w => w.test(l)));
  if (warnings.length > 0) throw new Error(`jsii warned:\n  ${warnings.join('\n  ')}`);
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8')) as { types?: Record<string, unknown> };
  return Object.keys(assembly.types ?? {}).length;
}

/**
 * Compiles the TypeScript-only lib/runtime with tsc (tsconfig.build.json) into
 * a scratch directory and copies its output to `<dist>/runtime`; whatever else
 * tsc emits (nothing, while lib/runtime imports only itself) stays jsii's.
 */
export function compileRuntime(root = ROOT, dist = DIST): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ha-patterns-runtime-'));
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', scratch],
      { stdio: 'inherit' });
    fs.cpSync(path.join(scratch, 'runtime'), path.join(dist, 'runtime'), { recursive: true });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Makes each command of package.json `bin` executable; fails when one is
 * missing or does not start with a `#!/usr/bin/env node` line (the source's
 * first line, which the compiler keeps). Returns the commands' files.
 */
export function prepareBins(root = ROOT): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  for (const bin of bins) {
    const file = path.join(root, bin);
    if (!fs.existsSync(file)) throw new Error(`package.json bin ${bin}: not built (is its source under lib/ and compiled by jsii?)`);
    if (!fs.readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node')) {
      throw new Error(`package.json bin ${bin}: its first line must be #!/usr/bin/env node`);
    }
    fs.chmodSync(file, 0o755);
  }
  return bins;
}

function main(): void {
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.rmSync(ASSEMBLY, { force: true });
  const types = compileAssembly();
  // jsii compiles incrementally; its build info is no part of the package.
  fs.rmSync(path.join(DIST, 'tsconfig.tsbuildinfo'), { force: true });
  compileRuntime();

  for (const entry of handlerEntries()) {
    const outDir = path.join(DIST, path.relative(LIB, path.dirname(entry)));
    if (fs.existsSync(outDir)) throw new Error(`${path.relative(ROOT, outDir)} was compiled by jsii: library code must not import handler modules`);
    bundleHandler(entry, outDir);
  }

  fs.cpSync(path.join(LIB, 'web-tier', 'browser'), path.join(DIST, 'web-tier', 'browser'), { recursive: true });
  writeLauncherBundle();
  const bins = prepareBins();

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
  console.log(`build: jsii assembly of ${types} types (.jsii), dist/ with lib/runtime, ${handlerEntries().length} handler bundles, `
    + `the browser helper, the launcher bundle${bins.length ? ` and bin ${bins.join(', ')}` : ''}`);
}

if (require.main === module) main();
