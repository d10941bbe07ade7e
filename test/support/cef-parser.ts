/**
 * A receiver's reading of a CEF line, written from the CEF rules (not from our renderer): seven header
 * fields split on unescaped `|`, then `key=value` pairs whose values end where the next ` key=` starts.
 */
export interface ParsedCef {
  header: string[];
  extension: Record<string, string>;
}

export function parseCef(line: string): ParsedCef {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    const c = line[i]!;
    if (c === '\\' && (line[i + 1] === '|' || line[i + 1] === '\\')) field += line[++i];
    else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  if (header.length < 7) throw new Error(`not a CEF line: ${line}`);
  return { header, extension: parseExtension(line.slice(i)) };
}

function parseExtension(text: string): Record<string, string> {
  // A key is a run of letters and digits right before an `=` at the start or after a space; an escaped
  // `\=` has a backslash before it, which no key holds.
  const keys = [...text.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)];
  const pairs: Record<string, string> = {};
  keys.forEach((match, k) => {
    const start = match.index + match[0].length;
    const end = k + 1 < keys.length ? keys[k + 1]!.index : text.length;
    pairs[match[1]!] = unescapeValue(text.slice(start, end));
  });
  return pairs;
}

function unescapeValue(value: string): string {
  return value.replace(/\\([\\=nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** The value of the custom field whose label is `label` (`cs3Label=hash cs3=…` → the hash). */
export function labelled(extension: Record<string, string>, label: string): string | undefined {
  const key = Object.keys(extension).find((k) => k.endsWith('Label') && extension[k] === label);
  return key === undefined ? undefined : extension[key.slice(0, -'Label'.length)];
}
