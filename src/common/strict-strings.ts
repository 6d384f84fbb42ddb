/**
 * What a string sent to this API may contain: no control characters (C0 and C1,
 * DEL), except tab, line feed and carriage return, which a multi-line reason or
 * description may hold; and well-formed Unicode (no lone surrogate halves, which
 * PostgreSQL cannot store). A NUL byte would otherwise reach PostgreSQL and fail
 * there as an internal error.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` may not be accepted, or null when it may. */
export function stringProblem(value: string): string | null {
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code})`;
  }
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode';
  return null;
}
