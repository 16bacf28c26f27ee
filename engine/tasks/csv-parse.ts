/**
 * A small RFC 4180 CSV reader that keeps the physical line number of every
 * record, so a bad row can be reported as "line 17" of the file the user
 * opened (a quoted field may span lines, so the record index is not enough).
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvParseError {
  line: number;
  message: string;
}

/**
 * Splits CSV text into records. Handles quoted fields ("a, b"), doubled quotes,
 * CRLF/LF/CR line ends, a byte-order mark, and skips blank lines.
 *
 * @example
 * parseCsv('t,v\n1,2\n').records // → [{line: 1, fields: ['t','v']}, {line: 2, fields: ['1','2']}]
 */
export function parseCsv(text: string, delimiter = ','): { records: CsvRecord[]; errors: CsvParseError[] } {
  const records: CsvRecord[] = [];
  const errors: CsvParseError[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          quoted = false;
          i++;
          continue;
        }
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        field += ch;
        i++;
        continue;
      }
      if (ch === '"' && field.trim() === '') { quoted = true; field = ''; i++; continue; }
      if (ch === delimiter) { fields.push(field); field = ''; i++; continue; }
      if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        endOfRecord = true;
        continue;
      }
      field += ch;
      i++;
    }
    if (quoted) errors.push({ line: start, message: 'a quoted field is not closed (a " is missing)' });
    fields.push(field);
    if (fields.length === 1 && fields[0].trim() === '') continue;
    records.push({ line: start, fields });
  }
  return { records, errors };
}
