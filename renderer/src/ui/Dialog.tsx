// A modal built on the native <dialog>: inert background from the browser, Tab and Shift+Tab kept inside
// (the browser alone would let focus leave for its own toolbar), initial focus where the caller says,
// focus restored on close, Esc routed to onCancel.
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

const FOCUSABLE =
  'a[href], button, input, textarea, select, [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

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
    // Tab from the last control wraps to the first, Shift+Tab from the first to the last.
    const onKeyDown = (e: KeyboardEvent): void => {
      if (e.key !== 'Tab') return;
      const all = Array.from(d.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
        (el) => !el.hasAttribute('disabled') && el.getClientRects().length > 0,
      );
      const first = all[0];
      const last = all[all.length - 1];
      if (!first || !last) return;
      const at = document.activeElement;
      if (e.shiftKey && (at === first || !d.contains(at))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (at === last || !d.contains(at))) {
        e.preventDefault();
        first.focus();
      }
    };
    d.addEventListener('cancel', onCancelEvent);
    d.addEventListener('close', onClose);
    d.addEventListener('keydown', onKeyDown);
    return () => {
      d.removeEventListener('cancel', onCancelEvent);
      d.removeEventListener('close', onClose);
      d.removeEventListener('keydown', onKeyDown);
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
