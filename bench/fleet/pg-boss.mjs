// pg-boss in the fleet, the obvious way for independent jobs: a job per (event, endpoint) inserted in
// bulk, 64 `work()` workers with batches of 4 (256 in flight at most: the same budget as Zupy's
// default global cap). A batch's jobs are sent at once; those not answered 2xx are failed one by one
// (`boss.fail`, so pg-boss retries only them: 5 retries, backoff from 1 s), then the handler returns
// and pg-boss completes the rest. A worker that got a full batch fetches again at once
// (`notifyWorker`), else it polls every 0.5 s (the shortest pg-boss accepts). PostgreSQL with fsync on.
import PgBoss from 'pg-boss';

export const WORKERS = 64;
export const BATCH = 4;
const QUEUE = 'webhooks';
const JOB = { retryLimit: 5, retryDelay: 1, retryBackoff: true };

export async function open({ pgUrl }) {
  const boss = new PgBoss({ connectionString: pgUrl, max: 20 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(QUEUE);
  return {
    async enqueueMany(jobs) {
      await boss.insert(jobs.map((data) => ({ name: QUEUE, data, ...JOB })));
    },
    async startWorker(send) {
      for (let w = 0; w < WORKERS; w++) {
        const id = await boss.work(QUEUE, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          if (jobs.length === BATCH) boss.notifyWorker(id);
          const sent = await Promise.all(jobs.map((job) => send(job.id, job.data.url, job.data.body)));
          const failed = jobs.filter((_, i) => !sent[i]).map((job) => job.id);
          if (failed.length) await boss.fail(QUEUE, failed, { message: 'receiver did not answer 2xx' });
        });
      }
    },
    async close() {
      await boss.stop({ graceful: false, wait: true, timeout: 2000 });
    },
  };
}
