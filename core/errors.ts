// The one error type the core throws on purpose. Its message is for people and never holds a secret.
import type { ErrorCode, RuleRef } from '../shared/errors.ts';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly rule: RuleRef | undefined;
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    extra: { path?: string; rule?: RuleRef; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.path = extra.path;
    this.rule = extra.rule;
    this.retryAfter = extra.retryAfter;
  }
}
