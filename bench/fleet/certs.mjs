// The fleet's private CA, made at each start with openssl (3.x, /usr/bin/openssl or the PATH's): a CA
// key and certificate, and a server certificate for IP 127.0.0.1 signed by it, in a temporary
// directory. Zupy trusts the CA through ZUPY_EXTRA_CA_FILE; the peers through undici's `ca`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../lib.mjs';

const OPENSSL = fs.existsSync('/usr/bin/openssl') ? '/usr/bin/openssl' : 'openssl';

/** Returns the paths of ca.pem, server-key.pem and server.pem (P-256 keys, valid for 2 days). */
export function makeCerts() {
  const dir = tempDir('fleet-ca');
  const file = (name) => path.join(dir, name);
  const run = (...args) => execFileSync(OPENSSL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = (out) =>
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out);
  ecKey(file('ca-key.pem'));
  run(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca-key.pem'),
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=Zupy fleet bench CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    file('ca.pem'),
  );
  ecKey(file('server-key.pem'));
  run('req', '-new', '-key', file('server-key.pem'), '-subj', '/CN=127.0.0.1', '-out', file('server.csr'));
  fs.writeFileSync(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca-key.pem'),
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  );
  return { dir, ca: file('ca.pem'), key: file('server-key.pem'), cert: file('server.pem') };
}
