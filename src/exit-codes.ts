/** The exit codes are a contract with scripts and cron jobs: never renumber them. */
export const ExitCode = {
  /** Every row succeeded, was submitted, or was already done. */
  Ok: 0,
  /** Some rows failed or were invalid (with --skip-invalid). */
  RowsFailed: 1,
  /** Bad usage or bad input: nothing was sent. */
  Usage: 2,
  /** Stopped early by the failure budget or refused credentials; the checkpoint resumes it. */
  StoppedEarly: 3,
  /** Another run holds the checkpoint's lock. */
  Locked: 4,
  /** Stopped by SIGINT (128 + 2); resumable. */
  Interrupted: 130,
  /** Stopped by SIGTERM (128 + 15); resumable. */
  Terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
