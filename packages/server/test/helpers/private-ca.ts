import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A private CA made for a test, and certificates it signed, as PEM files in `dir`. */
export interface PrivateCa {
  dir: string;
  /** The CA's certificate (what `ZUPY_EXTRA_CA_FILE` names). */
  caFile: string;
  /** A server key and certificate signed by the CA for these subject alternative names. */
  issue(name: string, altNames: string): { key: string; cert: string };
}

const openssl = (dir: string, ...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** Generates a CA with the machine's `openssl` (EC P-256 keys: fast). */
export function createPrivateCa(dir: string): PrivateCa {
  fs.mkdirSync(dir, { recursive: true });
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  openssl(
    dir,
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=Zupy Test Private CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'ca.pem',
  );
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    issue(name, altNames) {
      openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
      openssl(dir, 'req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
      fs.writeFileSync(
        path.join(dir, `${name}.ext`),
        `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
      );
      openssl(
        dir,
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-sha256',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      );
      return {
        key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'),
        cert: fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8'),
      };
    },
  };
}
