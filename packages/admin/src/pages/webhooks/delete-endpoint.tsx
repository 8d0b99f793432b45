import { useState } from 'preact/hooks';
import { api, type Endpoint, type Overview } from '../../api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { describeError } from '../../components/use-async.js';
import { useSession } from '../../context.js';

/** What deleting drops: the endpoint's pending deliveries (enabled) or held ones (disabled). */
type Dropped =
  { state: 'counting' } | { state: 'known'; count: number; held: boolean } | { state: 'unknown' };

/**
 * Its queue as the overview counts it (through the pending deliveries' index), read when the
 * person asks to delete, so the number is the one about to be dropped.
 */
async function countDropped(endpoint: Endpoint): Promise<{ count: number; held: boolean }> {
  const overview = await api<Overview>('GET', '/stats/overview/');
  const mine = overview.endpoints.find((e) => e.id === endpoint.id);
  if (!mine) throw new Error('endpoint not in the overview');
  return mine.enabled
    ? { count: mine.pending_deliveries, held: false }
    : { count: mine.held_deliveries, held: true };
}

/**
 * "Excluir" asks first, naming the URL and how many pending or held deliveries the deletion drops
 * (they end `failed`), and points at disabling as the way to keep them.
 */
export function DeleteEndpoint({
  endpoint,
  onDeleted,
  onError,
}: {
  endpoint: Endpoint;
  onDeleted: () => void;
  onError: (text: string) => void;
}) {
  const { t } = useSession();
  const [dropped, setDropped] = useState<Dropped | null>(null);
  const [busy, setBusy] = useState(false);
  const ask = () => {
    setDropped({ state: 'counting' });
    countDropped(endpoint).then(
      (known) => setDropped((d) => (d ? { state: 'known', ...known } : d)),
      () => setDropped((d) => (d ? { state: 'unknown' } : d)),
    );
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api('DELETE', `/webhooks/endpoints/${endpoint.id}/`);
      setDropped(null);
      onDeleted();
    } catch (err) {
      setDropped(null);
      onError(describeError(t, err));
    } finally {
      setBusy(false);
    }
  };
  const consequence = (d: Dropped): string => {
    switch (d.state) {
      case 'counting':
        return t('delete.counting');
      case 'unknown':
        return t('delete.unknown');
      case 'known':
        if (d.count === 0) return t('delete.nothing');
        return t.plural(d.held ? 'delete.held' : 'delete.pending', d.count);
    }
  };
  return (
    <>
      <button type="button" class="danger" onClick={ask}>
        {t('webhooks.delete')}
      </button>
      {dropped && (
        <ConfirmDialog
          title={t('delete.title')}
          confirmLabel={t('webhooks.delete')}
          danger
          busy={busy || dropped.state === 'counting'}
          onConfirm={() => void remove()}
          onCancel={() => setDropped(null)}
        >
          <p>{t('delete.body', endpoint.url)}</p>
          <p aria-live="polite">{consequence(dropped)}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
