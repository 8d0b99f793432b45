// BullMQ in the fleet, the obvious way: one Queue, a job per (event, endpoint) added in bulk, one
// Worker with `concurrency: 256` (the same budget as Zupy's default global in-flight cap), BullMQ's
// retries (5 attempts, exponential from 1 s) for a job whose send did not get a 2xx. Redis as in the
// peers' comparison (redis.mjs: AOF on, appendfsync everysec).
import { Queue, Worker } from 'bullmq';

export const CONCURRENCY = 256;
const QUEUE = 'webhooks';
const JOB = { attempts: 5, backoff: { type: 'exponential', delay: 1000 } };

export async function open({ redisPort }) {
  const connection = { host: '127.0.0.1', port: redisPort };
  const queue = new Queue(QUEUE, { connection });
  let worker = null;
  return {
    async enqueueMany(jobs) {
      await queue.addBulk(jobs.map((data) => ({ name: 'deliver', data, opts: JOB })));
    },
    async startWorker(send) {
      worker = new Worker(
        QUEUE,
        async (job) => {
          if (!(await send(job.id, job.data.url, job.data.body)))
            throw new Error('receiver did not answer 2xx');
        },
        { connection: { ...connection, maxRetriesPerRequest: null }, concurrency: CONCURRENCY },
      );
      worker.on('error', () => undefined);
      await worker.waitUntilReady();
    },
    async close() {
      await worker?.close(true);
      await queue.close();
    },
  };
}
