// The one way a form or dialog shows what went wrong: announced at once, nothing when there is no error.
import type { ReactNode } from 'react';

export function FormError({ error }: { error: string | null }): ReactNode {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}
