// A confirmation for an action that breaks something (rotate a key, remove a provider, revoke every agent):
// an alertdialog that names the action, says the consequence, starts on Cancel, and shows a failure in place.
import { useRef, type ReactNode } from 'react';
import { Dialog } from './Dialog.tsx';
import { FormError } from './FormError.tsx';
import { useAction } from './useAction.ts';

export interface ConfirmDialogProps {
  /** Prefix of the title and description ids. */
  id: string;
  title: ReactNode;
  /** The consequence, in a sentence or two. */
  description: ReactNode;
  /** The action button's text, and its text while running. */
  action: string;
  busyAction: string;
  danger?: boolean;
  /** Throws to show its message and keep the dialog open. */
  onConfirm: () => Promise<void>;
  onCancel: () => void;
  testId: string;
  confirmTestId: string;
  /** Extra fields between the description and the buttons (a reason, a severity). */
  children?: ReactNode;
}

export function ConfirmDialog(props: ConfirmDialogProps): ReactNode {
  const { id, title, description, action, busyAction, danger, onConfirm, onCancel, testId, confirmTestId } =
    props;
  const { busy, error, run } = useAction();
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      open
      onCancel={onCancel}
      role="alertdialog"
      labelledBy={`${id}-title`}
      describedBy={`${id}-desc`}
      initialFocus={cancelRef}
      testId={testId}
    >
      <div className="dialog-body">
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-desc`}>{description}</p>
        {props.children}
        <FormError error={error} />
        <div className="dialog-foot">
          <button ref={cancelRef} type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
            onClick={() => void run(onConfirm)}
            disabled={busy}
            data-testid={confirmTestId}
          >
            {busy ? busyAction : action}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
