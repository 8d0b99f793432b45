import { useState } from 'preact/hooks';
import { useSession } from '../context.js';

/** Copies `text` exactly as given (a webhook body: the bytes that were signed) and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useSession();
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
        type="button"
        class="secondary"
        onClick={() =>
          void navigator.clipboard.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {label}
      </button>
      <span role="status" class="muted">
        {copied ? ` ${t('webhooks.copied')}` : ''}
      </span>
    </>
  );
}
