import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

/** Loads data on mount and on `reload()`; keeps the API's error to show it in words. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (live) {
          setData(value);
          setError(null);
        }
      },
      (e: unknown) => {
        if (live) setError(e instanceof ApiError ? e : new ApiError(0, 'Error', String(e), []));
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload, setData };
}

/** The words to show for a failed call, in the panel's language (api-messages.ts). */
export { describeError } from '../api-messages.js';
