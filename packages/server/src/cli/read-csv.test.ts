import { describe, expect, it } from 'vitest';
import { decodeCsv, detectDelimiter, readCsv } from './read-csv.js';

const latin1 = (text: string) => Uint8Array.from([...text].map((c) => c.charCodeAt(0)));

describe('readCsv', () => {
  it('reads UTF-8 with and without a BOM, and Windows-1252 (Latin-1) exports', () => {
    const utf8 = new TextEncoder().encode('nome;celular\nJosé Araújo;11 91234-5678\n');
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8]);
    const ansi = latin1('nome;celular\nJosé Araújo;11 91234-5678\n');
    for (const [bytes, encoding] of [
      [utf8, 'utf-8'],
      [bom, 'utf-8'],
      [ansi, 'windows-1252'],
    ] as const) {
      const file = readCsv(bytes);
      expect(file.encoding).toBe(encoding);
      expect(file.records).toEqual([
        ['nome', 'celular'],
        ['José Araújo', '11 91234-5678'],
      ]);
    }
    // Windows-1252's own characters above Latin-1 (0x80–0x9f): “aspas” and the euro sign.
    expect(decodeCsv(Uint8Array.from([0x93, 0x61, 0x94, 0x20, 0x80])).text).toBe('“a” €');
  });

  it('detects the delimiter from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('nome;celular;e-mail\nA;B;C')).toBe(';');
    expect(detectDelimiter('nome\tcelular\nA\tB')).toBe('\t');
    expect(detectDelimiter('name,phone\nA;B;C;D;E')).toBe(','); // the header decides, not the rows
    expect(detectDelimiter('"Nome; completo",celular\n')).toBe(',');
    expect(detectDelimiter('nome\r\na;b;c')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
    // A `;` file whose names hold commas keeps them in one cell.
    expect(readCsv(new TextEncoder().encode('nome;celular\nSouza, Pedro;11 93456-7890')).records[1]).toEqual([
      'Souza, Pedro',
      '11 93456-7890',
    ]);
  });
});
