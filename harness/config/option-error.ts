/**
 * The command line was wrong: the CLI prints the message and exits 2. A file of its own, so that the CLI's start
 * (flags, usage) loads nothing else.
 */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}
