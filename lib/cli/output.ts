/** Where the command writes: standard output and standard error (injected, so tests read them). */
export interface CliOutput {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
}

/** The command did what it was asked. */
export const EXIT_OK = 0;
/** The command ran and failed: no cloud assembly, no pattern recorded in it, a record of a later version. */
export const EXIT_FAILED = 1;
/** The command line is wrong. */
export const EXIT_USAGE = 2;
