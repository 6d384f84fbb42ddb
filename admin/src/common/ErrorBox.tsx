import { describeError } from '../api/errors';
import { useFocusWhen } from './focus';

/** An error, announced and focused when it appears, so keyboard and screen-reader users land on it. */
export function ErrorBox({ error, id }: { error: unknown; id?: string }) {
  const ref = useFocusWhen<HTMLDivElement>(error, error);
  if (!error) return null;
  return (
    <div className="error" role="alert" tabIndex={-1} ref={ref} id={id}>
      {describeError(error)}
    </div>
  );
}
