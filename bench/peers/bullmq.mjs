// Peer 2, BullMQ as its documentation shows it: the route adds a job to a Queue, a Worker with
// `concurrency: 64` sends each; a sent job moves to BullMQ's completed set (its "done" mark; the
// default keeps completed jobs), a failed one is retried by BullMQ. Redis is started by the bench
// (redis.mjs) with AOF on, `appendfsync everysec`: the durable setting Redis recommends (an
// acknowledged job can be lost in the last second before a crash, unlike the others' fsync per commit).
import { Queue, Worker } from 'bullmq';
import { IN_FLIGHT } from './send.mjs';
import { runPeer } from './child.mjs';
import { peerScenarios } from './peer-scenarios.mjs';

const SELF = new URL(import.meta.url).pathname;
const QUEUE = 'webhooks';
const JOB = { attempts: 5, backoff: { type: 'exponential', delay: 1000 } };

async function open({ redisPort }) {
  const connection = { host: '127.0.0.1', port: redisPort };
  const queue = new Queue(QUEUE, { connection });
  let worker = null;
  return {
    async enqueue(body) {
      return (await queue.add('deliver', { body }, JOB)).id;
    },
    async enqueueMany(bodies) {
      await queue.addBulk(bodies.map((body) => ({ name: 'deliver', data: { body }, opts: JOB })));
    },
    async startWorker(send) {
      worker = new Worker(
        QUEUE,
        async (job) => {
          if (!(await send(job.id, job.data.body))) throw new Error('receiver did not answer 2xx');
        },
        { connection: { ...connection, maxRetriesPerRequest: null }, concurrency: IN_FLIGHT },
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

if (process.argv[1] === SELF) await runPeer(open);

export const { drain, enqueueRate, endToEnd } = peerScenarios('BullMQ + Redis (AOF)', SELF, {
  database: 'redis',
});
