// Translator options as GlusterFS declares them (volume_options): a typed table per translator,
// with defaults, ranges, allowed values and aliases. Values arrive as volfile strings and leave
// as numbers, booleans or strings; a bad value is an OptionError with the reason.

export type OptionType =
  | 'str'
  | 'int'
  | 'sizet'
  | 'percent'
  | 'percent-or-sizet'
  | 'bool'
  | 'xlator'
  | 'path'
  | 'time'
  | 'double'
  | 'internet-address'
  | 'any';

export interface OptionDecl {
  key: string;
  aliases?: readonly string[];
  type: OptionType;
  default?: string;
  min?: number;
  max?: number;
  /** Allowed values of a 'str' option (globs with * allowed). */
  values?: readonly string[];
  description: string;
}

export type OptionValue = string | number | boolean;

/** What parseOptionValue makes of each option type. */
type ValueOfType<T extends OptionType> = T extends 'bool' ? boolean : T extends 'int' | 'sizet' | 'percent' | 'percent-or-sizet' | 'time' | 'double' ? number : string;

/**
 * A translator's option values as its declarations make them, keyed by option name: a value for
 * every option with a default, maybe none for one without. Glob keys (transport.socket.*) are left
 * out. For the compiler to know the keys and types, declare the table `as const satisfies readonly
 * OptionDecl[]` and the values `declare options: OptionValues<typeof MyXlator.options>`: a
 * misspelt option name is then a compile error, not an undefined read at run time.
 */
export type OptionValues<Decls extends readonly OptionDecl[]> = {
  readonly [D in Decls[number] as D['key'] extends `${string}*${string}` ? never : D['key']]: D extends { default: string } ? ValueOfType<D['type']> : ValueOfType<D['type']> | undefined;
};

export class OptionError extends Error {
  constructor(
    readonly key: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`option '${key}': ${reason}`);
    this.name = 'OptionError';
  }
}

export interface OptionContext {
  /** Volume names of the graph, for 'xlator' options. */
  xlatorNames?: ReadonlySet<string>;
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5 };
const TIME_UNITS: Record<string, number> = { '': 1, S: 1, SEC: 1, M: 60, MIN: 60, H: 3600, HR: 3600, D: 86400, DAYS: 86400, W: 604800, WK: 604800 };
const TRUE_WORDS = new Set(['1', 'on', 'yes', 'true', 'enable']);
const FALSE_WORDS = new Set(['0', 'off', 'no', 'false', 'disable']);

export function parseOptionValue(decl: OptionDecl, raw: string, context: OptionContext = {}): OptionValue {
  const fail = (reason: string): never => {
    throw new OptionError(decl.key, raw, reason);
  };
  const text = raw.trim();
  switch (decl.type) {
    case 'any':
      return raw;
    case 'str': {
      if (decl.values && decl.values.length > 0) {
        if (text === '' || !decl.values.some((v) => globMatch(v, text, true))) fail(`'${raw}' is not one of ${decl.values.join(', ')}`);
      }
      return raw;
    }
    case 'bool': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return fail(`'${raw}' is not a boolean (use on/off, yes/no, true/false, enable/disable, 1/0)`);
    }
    case 'int':
    case 'double': {
      if (!(decl.type === 'int' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(text)) {
        fail(`'${raw}' is not ${decl.type === 'int' ? 'an integer' : 'a number'}`);
      }
      return checkRange(decl, Number(text), raw, String);
    }
    case 'sizet': {
      const bytes = parseSize(text);
      if (bytes === null) fail(`'${raw}' is not a size (use a number with an optional B/KB/MB/GB/TB/PB suffix)`);
      return checkRange(decl, bytes!, raw, formatSize);
    }
    case 'percent': {
      const m = /^(\d+(?:\.\d+)?)%?$/.exec(text);
      if (m === null || Number(m[1]) > 100) fail(`'${raw}' is not a percentage from 0 to 100`);
      return Number(m![1]);
    }
    case 'percent-or-sizet': {
      if (text.endsWith('%')) return parseOptionValue({ ...decl, type: 'percent' }, raw, context);
      const bytes = parseSize(text);
      if (bytes === null || !Number.isInteger(bytes)) fail(`'${raw}' is neither a percentage nor a whole size`);
      return checkRange(decl, bytes!, raw, formatSize);
    }
    case 'time': {
      const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(text);
      const unit = m ? TIME_UNITS[m[2]!.toUpperCase()] : undefined;
      if (m === null || unit === undefined) fail(`'${raw}' is not a time (a whole number with an optional s/m/h/d/w suffix)`);
      return checkRange(decl, Number(m![1]) * unit!, raw, (n) => `${n}s`);
    }
    case 'path': {
      if (!text.startsWith('/')) fail(`'${raw}' is not an absolute path`);
      if (/(^|\/)\.\.(\/|$)/.test(text)) fail(`'${raw}' must not contain '..'`);
      return text;
    }
    case 'xlator': {
      if (context.xlatorNames && !context.xlatorNames.has(text)) fail(`'${raw}' is not a volume of this graph`);
      return text;
    }
    case 'internet-address': {
      const hostname = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
      const ipv6 = /^[0-9A-Fa-f:.]+$/;
      if (!(hostname.test(text) || (text.includes(':') && ipv6.test(text)))) fail(`'${raw}' is not a host name or IP address`);
      return text;
    }
  }
}

export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (m === null) return null;
  const unit = SIZE_UNITS[m[2]!.toUpperCase()];
  if (unit === undefined) return null;
  return Math.round(Number(m[1]) * unit);
}

function formatSize(bytes: number): string {
  for (const unit of ['PB', 'TB', 'GB', 'MB', 'KB']) {
    const size = SIZE_UNITS[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

function checkRange(decl: OptionDecl, value: number, raw: string, show: (n: number) => string): number {
  if (decl.min !== undefined && value < decl.min) throw new OptionError(decl.key, raw, `${raw.trim()} is below the minimum ${show(decl.min)}`);
  if (decl.max !== undefined && value > decl.max) throw new OptionError(decl.key, raw, `${raw.trim()} is above the maximum ${show(decl.max)}`);
  return value;
}

/** fnmatch-style: * matches any run, ? one character. */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === text.toLowerCase() : pattern === text;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', ignoreCase ? 'i' : '');
  return re.test(text);
}

function findDecl(decls: readonly OptionDecl[], key: string): OptionDecl | undefined {
  return decls.find((d) => globMatch(d.key, key) || (d.aliases ?? []).some((a) => globMatch(a, key)));
}

export interface ResolvedOptions {
  values: Record<string, OptionValue>;
  unknown: string[];
  renamed: Array<[alias: string, key: string]>;
}

/** Validate the options a volume sets against a translator's declarations and fill in defaults. */
export function resolveOptions(decls: readonly OptionDecl[], given: ReadonlyMap<string, string>, context: OptionContext = {}): ResolvedOptions {
  const values: Record<string, OptionValue> = {};
  const unknown: string[] = [];
  const renamed: Array<[string, string]> = [];
  for (const [key, raw] of given) {
    const decl = findDecl(decls, key);
    if (decl === undefined) {
      unknown.push(key);
      continue;
    }
    // A glob key (transport.socket.*) keeps the name it was given; an alias takes the canonical name.
    const name = decl.key.includes('*') ? key : decl.key;
    if (name !== key) renamed.push([key, name]);
    try {
      values[name] = parseOptionValue(decl, raw, context);
    } catch (e) {
      if (e instanceof OptionError && name !== key) throw new OptionError(key, raw, e.reason);
      throw e;
    }
  }
  for (const decl of decls) {
    if (decl.default === undefined || decl.key.includes('*') || decl.key in values) continue;
    values[decl.key] = parseOptionValue(decl, decl.default, context);
  }
  return { values, unknown, renamed };
}

/** A plain-text table of a translator's options, for --help and the docs. */
export function formatOptionHelp(decls: readonly OptionDecl[]): string {
  return decls
    .map((d) => {
      const names = [d.key, ...(d.aliases ?? [])].join(', ');
      const range = d.min !== undefined || d.max !== undefined ? ` [${d.min ?? ''}..${d.max ?? ''}]` : '';
      const values = d.values ? ` (${d.values.join('|')})` : '';
      const def = d.default !== undefined ? ` default ${d.default}` : '';
      return `  ${names} <${d.type}>${values}${range}${def}\n      ${d.description}`;
    })
    .join('\n');
}
