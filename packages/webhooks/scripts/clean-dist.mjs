// Every build starts from an empty dist/: a file whose source was removed or renamed must never be
// packed and published with the next version (tsc -b only ever adds and overwrites).
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
