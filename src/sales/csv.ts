// CSV as Brazilian spreadsheets open it: ";" between fields, CRLF, UTF-8 with a BOM, and cells
// that a spreadsheet would run as a formula (= + - @) neutralised with a leading apostrophe.

export const CSV_BOM = '\uFEFF';

export type CsvValue = string | number | boolean | Date | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: CsvValue[]): string {
  return `${cells.map(csvCell).join(';')}\r\n`;
}
