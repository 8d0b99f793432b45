import { parse } from 'csv-parse/sync';

/** The delimiters a spreadsheet export uses: Brazilian Excel writes `;` (the comma is the decimal mark). */
const DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof DELIMITERS)[number];
export type CsvEncoding = 'utf-8' | 'windows-1252';

export interface CsvFile {
  records: string[][];
  delimiter: CsvDelimiter;
  encoding: CsvEncoding;
}

/**
 * The text of a CSV export: UTF-8 (with or without a BOM) when its bytes are valid UTF-8, otherwise
 * Windows-1252 — what Excel and most Brazilian POS systems write as "ANSI" (a superset of Latin-1:
 * "José Araújo" is `4a 6f 73 e9 …`, invalid as UTF-8).
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes),
      encoding: 'utf-8',
    };
  } catch {
    const latin1 = new TextDecoder('windows-1252').decode(bytes);
    return {
      text: latin1.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] || c),
      encoding: 'windows-1252',
    };
  }
}

/**
 * Windows-1252's characters at 0x80–0x9f (WHATWG's table; unassigned bytes stay C1 controls). Node's
 * TextDecoder('windows-1252') decodes those bytes as ISO-8859-1's C1 controls (seen on Node 20):
 * “aspas”, the euro sign and the dashes of a spreadsheet would come out as invisible characters.
 */
const WINDOWS_1252_HIGH = [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'];

/** The delimiter the header line uses most often outside quotes (`,` when it has none). */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char as CsvDelimiter)) {
      counts.set(char as CsvDelimiter, counts.get(char as CsvDelimiter)! + 1);
    }
  }
  let best: CsvDelimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** Decodes and parses a CSV export whatever its encoding and delimiter. */
export function readCsv(bytes: Uint8Array): CsvFile {
  const { text, encoding } = decodeCsv(bytes);
  const delimiter = detectDelimiter(text);
  const records: string[][] = parse(text, {
    bom: true,
    delimiter,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  });
  return { records, delimiter, encoding };
}
