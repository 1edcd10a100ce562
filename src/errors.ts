/** An error whose message is fit to show a user as one line (no stack trace). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code = "bad_input",
  ) {
    super(message);
    this.name = "UserError";
  }
}
