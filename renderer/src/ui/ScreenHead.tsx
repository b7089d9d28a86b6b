import type { ReactNode } from 'react';

/** A screen's heading: its title, one muted line under it, and the screen's own actions (children) beside it. */
export function ScreenHead({
  title,
  sub,
  children,
}: {
  title: string;
  sub: ReactNode;
  children?: ReactNode;
}): ReactNode {
  return (
    <header className="screen-head">
      <div>
        <h1>{title}</h1>
        <p className="muted small">{sub}</p>
      </div>
      {children}
    </header>
  );
}
