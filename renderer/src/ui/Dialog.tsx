// A modal built on the native <dialog>: real focus trapping and inert background from the browser,
// initial focus where the caller says, focus restored on close, Esc routed to onCancel.
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

export interface DialogProps {
  open: boolean;
  /** Esc or the close button. */
  onCancel: () => void;
  role?: 'dialog' | 'alertdialog';
  labelledBy: string;
  describedBy?: string;
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  testId?: string;
  children: ReactNode;
}

export function Dialog(props: DialogProps): ReactNode {
  const {
    open,
    onCancel,
    role = 'dialog',
    labelledBy,
    describedBy,
    initialFocus,
    className,
    testId,
    children,
  } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef(onCancel);
  cancelRef.current = onCancel;

  useEffect(() => {
    const d = ref.current;
    if (!d || !open) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!d.open) d.showModal();
    (
      initialFocus?.current ?? d.querySelector<HTMLElement>('[autofocus], button, input, textarea, select')
    )?.focus();
    const onCancelEvent = (e: Event): void => {
      e.preventDefault();
      cancelRef.current();
    };
    // If the browser closes the dialog anyway (repeated Esc), treat it as a cancel and show it again.
    const onClose = (): void => {
      cancelRef.current();
      if (d.isConnected && !d.open) d.showModal();
    };
    d.addEventListener('cancel', onCancelEvent);
    d.addEventListener('close', onClose);
    return () => {
      d.removeEventListener('cancel', onCancelEvent);
      d.removeEventListener('close', onClose);
      if (d.open) d.close();
      if (previous?.isConnected) previous.focus();
    };
  }, [open, initialFocus]);

  if (!open) return null;
  return (
    <dialog
      ref={ref}
      role={role}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      className={`dialog ${className ?? ''}`}
      data-testid={testId}
    >
      {children}
    </dialog>
  );
}
