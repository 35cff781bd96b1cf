// The volfile: GlusterFS's graph description language (graph.l / graph.y). Tokens are whitespace
// separated; `#` starts a comment only at the start of a token; "double quotes" take any text with
// \-escapes; the keywords volume, type, option, subvolumes and end-volume are keywords only as
// whole bare words. One deliberate difference: GlusterFS runs `backticks` through a shell; xlfs
// refuses them. Another: a volume with only a `type` line is accepted (GlusterFS calls it a syntax
// error), so a translator without options needs no dummy one.

export interface VolfileVolume {
  name: string;
  type: string;
  /** Insertion order; a repeated key keeps the later value (as GlusterFS) and warns. */
  options: Map<string, string>;
  optionLines: Map<string, number>;
  subvolumes: string[];
  /** Line of `volume NAME`. */
  line: number;
  typeLine: number;
  subvolumesLine?: number;
}

export interface Volfile {
  file?: string;
  /** Definition order: the last is the top of the graph. */
  volumes: VolfileVolume[];
  warnings: string[];
}

export class VolfileError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly line: number,
    readonly volume: string | undefined,
    readonly reason: string,
  ) {
    super(`${file ? file + ':' : ''}${line}: ${volume ? `volume '${volume}': ` : ''}${reason}`);
    this.name = 'VolfileError';
  }
}

type Keyword = 'volume' | 'type' | 'option' | 'subvolumes' | 'end-volume';
const KEYWORDS = new Set<string>(['volume', 'type', 'option', 'subvolumes', 'end-volume']);

interface Token {
  /** A keyword, or null for a word (bare or quoted). */
  keyword: Keyword | null;
  text: string;
  line: number;
}

function tokenize(text: string, file: string | undefined): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const fail = (reason: string, at = line): never => {
    throw new VolfileError(file, at, undefined, reason);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const start = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length || text[i] === '\n') fail('unterminated quoted string', start);
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\') {
          i++;
          if (i >= text.length || text[i] === '\n') fail('unterminated quoted string', start);
          value += text[i];
        } else value += d;
        i++;
      }
      i++;
      tokens.push({ keyword: null, text: value, line: start });
    } else if (c === '`') {
      fail('backticks are not allowed: xlfs never runs shell commands from a volfile');
    } else if (c === '\\') {
      fail("a backslash is only allowed inside a quoted string");
    } else {
      let j = i;
      while (j < text.length && !' \t\r\n"\\`'.includes(text[j]!)) j++;
      const word = text.slice(i, j);
      const keyword = word === 'subvolumeS' ? 'subvolumes' : KEYWORDS.has(word) ? (word as Keyword) : null;
      tokens.push({ keyword, text: word, line });
      i = j;
    }
  }
  return tokens;
}

export function parseVolfile(text: string, file?: string): Volfile {
  const tokens = tokenize(text, file);
  const volumes: VolfileVolume[] = [];
  const warnings: string[] = [];
  const defined = new Map<string, number>();
  let pos = 0;
  let lastLine = 1;
  const fail = (line: number, volume: string | undefined, reason: string): never => {
    throw new VolfileError(file, line, volume, reason);
  };
  const words = (): Token[] => {
    const out: Token[] = [];
    while (pos < tokens.length && tokens[pos]!.keyword === null) out.push(tokens[pos++]!);
    return out;
  };

  while (pos < tokens.length) {
    const head = tokens[pos++]!;
    if (head.keyword !== 'volume') {
      fail(head.line, undefined, head.keyword === null ? `expected 'volume', found '${head.text}'` : `'${head.text}' outside a volume (expected 'volume')`);
    }
    const nameWords = words();
    if (nameWords.length !== 1) fail(head.line, undefined, nameWords.length === 0 ? "'volume' needs a name" : `a volume has one name, not ${nameWords.length}`);
    const name = nameWords[0]!.text;
    const firstLine = defined.get(name);
    if (firstLine !== undefined) fail(head.line, name, `defined twice (first at line ${firstLine})`);
    defined.set(name, head.line);
    const volume: VolfileVolume = { name, type: '', options: new Map(), optionLines: new Map(), subvolumes: [], line: head.line, typeLine: 0 };

    let closed = false;
    while (pos < tokens.length && !closed) {
      const t = tokens[pos++]!;
      lastLine = t.line;
      switch (t.keyword) {
        case 'type': {
          if (volume.type !== '') fail(t.line, name, `'type' given twice (first at line ${volume.typeLine})`);
          const args = words();
          if (args.length === 0) fail(t.line, name, "'type' needs a translator type, e.g. storage/posix");
          if (args.length > 1) fail(args[1]!.line, name, `'type' takes one translator type; '${args[1]!.text}' is extra`);
          volume.type = args[0]!.text;
          volume.typeLine = t.line;
          break;
        }
        case 'option': {
          if (volume.type === '') fail(t.line, name, "'type' must come before any 'option'");
          const args = words();
          if (args.length === 0) fail(t.line, name, "'option' needs a key and a value");
          const key = args[0]!.text;
          if (args.length === 1) fail(t.line, name, `option '${key}' needs a value`);
          if (args.length > 2) fail(args[2]!.line, name, `option '${key}' takes one value; quote a value that has spaces`);
          if (volume.options.has(key)) {
            warnings.push(`${file ?? ''}:${t.line}: volume '${name}': option '${key}' is set again (line ${volume.optionLines.get(key)}); the later value wins`);
            volume.options.delete(key);
          }
          volume.options.set(key, args[1]!.text);
          volume.optionLines.set(key, t.line);
          break;
        }
        case 'subvolumes': {
          if (volume.type === '') fail(t.line, name, "'type' must come before 'subvolumes'");
          if (volume.subvolumesLine !== undefined) fail(t.line, name, `'subvolumes' given twice (first at line ${volume.subvolumesLine})`);
          const args = words();
          if (args.length === 0) fail(t.line, name, "'subvolumes' needs at least one volume name");
          for (const a of args) {
            if (a.text === name) fail(t.line, name, 'a volume cannot be its own subvolume');
            if (!defined.has(a.text)) fail(t.line, name, `subvolume '${a.text}' is not defined before this volume`);
            if (volume.subvolumes.includes(a.text)) fail(t.line, name, `subvolume '${a.text}' is listed twice`);
            volume.subvolumes.push(a.text);
          }
          volume.subvolumesLine = t.line;
          break;
        }
        case 'end-volume':
          if (volume.type === '') fail(t.line, name, "no 'type' given");
          closed = true;
          break;
        case 'volume':
          fail(t.line, name, "'end-volume' missing before the next 'volume'");
          break;
        default:
          fail(t.line, name, `unexpected '${t.text}' (expected type, option, subvolumes or end-volume)`);
      }
    }
    if (!closed) fail(lastLine, name, "'end-volume' missing at the end of the file");
    volumes.push(volume);
  }
  if (volumes.length === 0) fail(1, undefined, 'the volfile defines no volume');
  return { ...(file !== undefined ? { file } : {}), volumes, warnings };
}

/** Volumes that the top does not reach: GlusterFS ignores them silently; we warn. */
export function checkVolfileGraph(v: Volfile): string[] {
  const byName = new Map(v.volumes.map((vol) => [vol.name, vol]));
  const top = v.volumes[v.volumes.length - 1];
  if (top === undefined) return [];
  const reached = new Set<string>();
  const visit = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    for (const child of byName.get(name)?.subvolumes ?? []) visit(child);
  };
  visit(top.name);
  return v.volumes
    .filter((vol) => !reached.has(vol.name))
    .map((vol) => `${v.file ?? ''}:${vol.line}: volume '${vol.name}' is not below the top volume '${top.name}'; it is ignored`);
}

/** GlusterFS's print format (graph-print.c): definition order, 4-space indent, a blank line between. */
export function printVolfile(v: Volfile): string {
  const quote = (s: string) => (s === '' || /[\s"\\#`]/.test(s) || KEYWORDS.has(s) ? `"${s.replace(/[\\"]/g, '\\$&')}"` : s);
  return v.volumes
    .map((vol) => {
      const lines = [`volume ${quote(vol.name)}`, `    type ${quote(vol.type)}`];
      for (const [k, val] of vol.options) lines.push(`    option ${quote(k)} ${quote(val)}`);
      if (vol.subvolumes.length > 0) lines.push(`    subvolumes ${vol.subvolumes.map(quote).join(' ')}`);
      lines.push('end-volume');
      return lines.join('\n');
    })
    .join('\n\n') + '\n';
}
