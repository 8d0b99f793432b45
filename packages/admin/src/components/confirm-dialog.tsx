import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useSession } from '../context.js';

interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** A destructive action: its button is red. */
  danger?: boolean;
  /** The action is running: the confirm button waits. */
  busy?: boolean;
  /** Not yet confirmable (e.g. the typed confirmation does not match). */
  disabled?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question before an action that cannot be undone. The native `<dialog>` opened with
 * `showModal()` makes the rest of the page inert, keeps focus inside and closes on Escape (as a
 * cancel); focus starts on "Cancel", the safe answer, and goes back to the control that opened it.
 * Mount it to ask, unmount it to close.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { t } = useSession();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const element = dialog.current!;
    element.showModal();
    cancel.current?.focus();
    return () => {
      element.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      <div id={`${id}-body`}>{props.children}</div>
      <div class="dialog-actions">
        <button ref={cancel} type="button" class="secondary" onClick={props.onCancel}>
          {t('cancel')}
        </button>
        <button
          type="button"
          class={props.danger ? 'danger' : undefined}
          disabled={props.busy === true || props.disabled === true}
          onClick={props.onConfirm}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
