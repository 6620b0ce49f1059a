/** Bad input from the user: reported as one line with exit code 2, never with a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The message of anything thrown, without a stack. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
