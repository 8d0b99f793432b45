// Peer 3, pg-boss on the bench's PostgreSQL (fsync on), as its README shows it: the route calls
// `boss.send`, workers from `boss.work` fetch batches and pg-boss marks each batch completed when its
// handler returns. 4 workers with batches of 16 keep at most 64 in flight. pg-boss polls (at least
// every 0.5 s, the shortest interval it accepts), so the handler calls `notifyWorker` when its batch
// was full (fetch again at once while there is a backlog) and the route notifies the workers after a
// send (a fresh job does not wait for the next poll): pg-boss's own API for both.
import PgBoss from 'pg-boss';
import { IN_FLIGHT } from './send.mjs';
import { runPeer } from './child.mjs';
import { peerScenarios } from './peer-scenarios.mjs';

const SELF = new URL(import.meta.url).pathname;
const QUEUE = 'webhooks';
const WORKERS = 4;
const BATCH = IN_FLIGHT / WORKERS;

async function open({ pgUrl }) {
  const boss = new PgBoss({ connectionString: pgUrl, max: 10 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(QUEUE);
  const workers = [];
  const notify = () => workers.forEach((id) => boss.notifyWorker(id));
  return {
    async enqueue(body) {
      const id = await boss.send(QUEUE, { body });
      notify();
      return id;
    },
    async enqueueMany(bodies) {
      await boss.insert(bodies.map((body) => ({ name: QUEUE, data: { body } })));
    },
    async startWorker(send) {
      for (let w = 0; w < WORKERS; w++) {
        const id = await boss.work(QUEUE, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          if (jobs.length === BATCH) boss.notifyWorker(id);
          const sent = await Promise.all(jobs.map((job) => send(job.id, job.data.body)));
          // A batch fails (and is retried) as a whole: pg-boss's batch handler has one outcome.
          if (sent.includes(false)) throw new Error('receiver did not answer 2xx');
        });
        workers.push(id);
      }
    },
    async close() {
      await boss.stop({ graceful: false, wait: true, timeout: 2000 });
    },
  };
}

if (process.argv[1] === SELF) await runPeer(open);

export const { drain, enqueueRate, endToEnd } = peerScenarios('pg-boss', SELF, { database: 'postgres' });
