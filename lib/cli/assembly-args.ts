import * as path from 'path';
import { CliOutput, EXIT_OK, EXIT_USAGE } from './output';

/** The command line of a command that reads a cloud assembly: `[<cdk.out>] [--json] [--title <name>]`. */
export interface AssemblyArgs {
  /** The assembly directory (absolute; default `<cwd>/cdk.out`). */
  readonly directory: string;
  /** Write JSON. */
  readonly json: boolean;
  /** The title given with --title. */
  readonly title?: string;
  /** --help was given. */
  readonly help: boolean;
}

/** Parses `args`; a string says what is wrong with them. */
export function parseAssemblyArgs(args: string[], cwd: string): AssemblyArgs | string {
  let json = false;
  let help = false;
  let title: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') {
      json = true;
    } else if (arg === '--title') {
      title = args[++i];
      if (title === undefined || title.startsWith('--')) return '--title needs a value';
    } else if (arg === '--help' || arg === '-h') {
      help = true;
    } else if (arg.startsWith('-')) {
      return `unknown option '${arg}'`;
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1) return `one cloud assembly directory, got ${positional.length}: ${positional.join(' ')}`;
  return { directory: path.resolve(cwd, positional[0] ?? 'cdk.out'), json, title, help };
}

/**
 * The command line of `cdk-ha-patterns <command>` (`report`, `prove`): the
 * parsed arguments, or the exit code once it has printed the usage (for
 * --help, exit 0) or what is wrong with the arguments (exit 2).
 */
export function assemblyCommandArgs(command: string, args: string[], out: CliOutput, cwd: string): AssemblyArgs | number {
  const usage = `usage: cdk-ha-patterns ${command} [<cdk.out>] [--json] [--title <name>]\n`;
  const parsed = parseAssemblyArgs(args, cwd);
  if (typeof parsed === 'string') {
    out.stderr(`cdk-ha-patterns ${command}: ${parsed}\n${usage}`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    out.stdout(usage);
    return EXIT_OK;
  }
  return parsed;
}
