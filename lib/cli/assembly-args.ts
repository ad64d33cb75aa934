import * as path from 'path';

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
