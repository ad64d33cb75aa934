/**
 * The package ships prebuilt handler bundles (scripts/build.ts); these tests
 * hold them to the sources: every handler the library deploys is built, the
 * build produces the very file NodejsFunction bundles from source, and
 * HandlerFunction deploys the prebuilt bundle with the same function settings.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HandlerFunction } from '../../lib/private/handler-function';
import { bundleHandler, declarationImports, handlerEntries } from '../../scripts/build';
import { testApp, testEnv } from '../harness';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** Every `.ts` file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(d => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.d.ts'))
    .map(d => path.join(d.parentPath, d.name));
}

/** The asset directory of the only Lambda function of a synthesized stack. */
function functionAssetDir(stack: Stack, outdir: string): string {
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  return path.join(outdir, `asset.${hash}`);
}

const entries = handlerEntries();

test('the build finds every handler the library deploys', () => {
  const callers = sources(LIB).filter(f => fs.readFileSync(f, 'utf8').includes('new HandlerFunction('));
  expect(callers.length).toBeGreaterThan(0);
  for (const file of callers) {
    const text = fs.readFileSync(file, 'utf8');
    // The entry forms the build knows: `<pattern>/handler/index` beside the construct's file (bundled), and
    // the browser helper's server, deployed as it is from lib/web-tier/browser/ (copied whole).
    const entryProps = text.match(/entry: [^\n]+/g) ?? [];
    expect(entryProps.length).toBeGreaterThan(0);
    for (const e of entryProps) {
      if (e === "entry: path.join(__dirname, 'browser', 'serve'),") {
        expect(file).toBe(path.join(LIB, 'web-tier', 'browser-failover-helper.ts'));
        continue;
      }
      expect(e).toBe("entry: path.join(__dirname, 'handler', 'index'),");
      expect(entries).toContain(path.join(path.dirname(file), 'handler', 'index.ts'));
    }
  }
});

test('the browser helper\'s server deploys from its directory as it is, with the helper beside it and nothing to bundle', () => {
  const dir = path.join(LIB, 'web-tier', 'browser');
  const app = testApp({ bundling: true });
  const stack = new Stack(app, 'Helper', { env: testEnv() });
  new HandlerFunction(stack, 'Fn', { entry: path.join(dir, 'serve'), description: 'd' });
  app.synth();
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
  expect(fn.Properties.Handler).toBe('serve.handler');
  expect(fs.readdirSync(functionAssetDir(stack, app.outdir)).sort()).toEqual(fs.readdirSync(dir).sort());
  // The server requires nothing but Node.js built-ins.
  const requires = [...fs.readFileSync(path.join(dir, 'serve.js'), 'utf8').matchAll(/require\('([^']+)'\)/g)].map(m => m[1]);
  expect(requires).toEqual(['node:fs', 'node:path']);
});

test.each(entries.map(e => [path.relative(LIB, e), e]))('%s: the prebuilt bundle is what NodejsFunction builds from source', (_name, entry) => {
  const prebuilt = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ha-bundle-'));
  const handlerDir = path.join(prebuilt, 'handler');
  bundleHandler(entry, handlerDir);
  expect(fs.readdirSync(handlerDir).sort()).toEqual(['index.js', 'index.js.map']);

  const app = testApp({ bundling: true });
  const fromSource = new Stack(app, 'FromSource', { env: testEnv() });
  new HandlerFunction(fromSource, 'Fn', { entry: entry.replace(/\.ts$/, ''), description: 'd', environment: { A: 'b' } });
  const fromPackage = new Stack(app, 'FromPackage', { env: testEnv() });
  new HandlerFunction(fromPackage, 'Fn', { entry: path.join(handlerDir, 'index'), description: 'd', environment: { A: 'b' } });
  app.synth();

  // Same code...
  const built = fs.readFileSync(path.join(handlerDir, 'index.js'), 'utf8');
  expect(fs.readFileSync(path.join(functionAssetDir(fromSource, app.outdir), 'index.js'), 'utf8')).toBe(built);
  expect(fs.readdirSync(functionAssetDir(fromPackage, app.outdir)).sort()).toEqual(['index.js', 'index.js.map']);
  expect(fs.readFileSync(path.join(functionAssetDir(fromPackage, app.outdir), 'index.js'), 'utf8')).toBe(built);
  // ...and the same function and role, but for the asset's name.
  const withoutCode = (stack: Stack) => {
    const { Code: _code, ...props } = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties;
    return props;
  };
  expect(withoutCode(fromPackage)).toEqual(withoutCode(fromSource));
  expect(Template.fromStack(fromPackage).findResources('AWS::IAM::Policy')).toEqual(Template.fromStack(fromSource).findResources('AWS::IAM::Policy'));
});

describe('public type surface check', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ha-dts-'));
  fs.mkdirSync(path.join(dir, 'cells', 'handler'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.d.ts'), "export * from './cells';\nimport { Construct } from 'constructs';\n");
  fs.writeFileSync(path.join(dir, 'cells', 'index.d.ts'), "export type { FanOutClients } from './handler/fan-out';\n");
  fs.writeFileSync(path.join(dir, 'cells', 'handler', 'fan-out.d.ts'), "import { ECSClient } from '@aws-sdk/client-ecs';\n");

  test('follows re-exports to the packages the declarations import', () => {
    expect([...declarationImports(path.join(dir, 'index.d.ts'))]).toEqual([
      ['@aws-sdk/client-ecs', path.relative(path.join(__dirname, '..', '..'), path.join(dir, 'cells', 'handler', 'fan-out.d.ts'))],
      ['constructs', path.relative(path.join(__dirname, '..', '..'), path.join(dir, 'index.d.ts'))],
    ]);
  });
});
