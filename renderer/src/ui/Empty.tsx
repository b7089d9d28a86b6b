import type { ReactNode } from 'react';

/** An empty state: one sentence and one action. */
export function Empty({
  icon,
  text,
  action,
}: {
  icon?: ReactNode;
  text: string;
  action?: ReactNode;
}): ReactNode {
  return (
    <div className="empty">
      {icon && (
        <div className="empty-icon" aria-hidden="true">
          {icon}
        </div>
      )}
      <p>{text}</p>
      {action}
    </div>
  );
}
