import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton.tsx';

/** A value on screen with the button that copies it: the value's test id, the button's label and test id. */
export interface Copyable {
  text: string;
  copy: string;
  testId: string;
  copyTestId: string;
}

/** A value shown only once (an agent key, the recovery code), in full, with a button that copies it. */
export function TokenRow(props: Copyable & { className?: string }): ReactNode {
  return (
    <div className="token-row">
      <code className={props.className ? `token ${props.className}` : 'token'} data-testid={props.testId}>
        {props.text}
      </code>
      <CopyButton text={props.text} label={props.copy} testId={props.copyTestId} />
    </div>
  );
}
