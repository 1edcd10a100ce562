/** Each command module adds its subcommand; `setExit` records a non-zero exit code without throwing. */
export type SetExit = (code: number) => void;
