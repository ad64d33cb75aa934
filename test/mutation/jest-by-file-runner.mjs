/**
 * Stryker test runner `jest-by-file` (stryker.config.mjs): Stryker's jest
 * runner, each mutant running only the test files of its covering tests.
 * The logic and why: by-file.js.
 */
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';

const { JestByFileRunner } = createRequire(import.meta.url)('./by-file.js');
const jestFactory = jestPlugins.find(p => p.name === 'jest').factory;

function jestByFileRunnerFactory(injector) {
  // The test-runner processes of one Stryker run share their parent: the map is that run's.
  const map = path.join(os.tmpdir(), `stryker-test-files-${process.ppid}.json`);
  return new JestByFileRunner(injector.injectFunction(jestFactory), map);
}
jestByFileRunnerFactory.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-by-file', jestByFileRunnerFactory)];
