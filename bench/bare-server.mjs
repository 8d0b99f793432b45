// The ingest baseline: a bare Fastify route that inserts one row into SQLite (same pragmas as Zupy)
// and answers 201. What Zupy adds on top of this is validation, matching, the ledger and the outbox.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const dir = process.argv[2];
fs.mkdirSync(dir, { recursive: true });
const db = new Database(path.join(dir, 'bare.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(
  'create table if not exists customers (id integer primary key, name text, phone text, created_at text)',
);
const insert = db.prepare('insert into customers (name, phone, created_at) values (?, ?, ?)');
const app = Fastify({ logger: false });
app.post('/customers/', (request, reply) => {
  const body = request.body;
  const info = insert.run(body.name, body.phone, new Date().toISOString());
  return reply.code(201).send({ id: info.lastInsertRowid });
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.send({ url: address });
process.on('disconnect', () => process.exit(0));
