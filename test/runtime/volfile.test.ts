// The volfile parser (GlusterFS grammar) and option validation (GlusterFS's volume_options types).
import { describe, expect, it } from 'vitest';
import { type OptionDecl, parseOptionValue, resolveOptions } from '../../runtime/options.js';
import { checkVolfileGraph, parseVolfile, printVolfile } from '../../runtime/volfile.js';

const clientVolfile = `# a GlusterFS-style client volfile
volume vol-posix
    type storage/posix
    option directory /srv/brick   # trailing comment
end-volume

volume vol-write-behind
    type performance/write-behind
    option cache-size 4MB
    subvolumes vol-posix
    option flush-behind on
end-volume

volume vol
    type debug/io-stats
    option log-file "/var/log/with space.log"
    option unique-id a#b
    option quoted "say \\"hi\\""
    subvolumes vol-write-behind
end-volume
`;

describe('parseVolfile', () => {
  it('parses a client volfile into volumes in definition order', () => {
    const v = parseVolfile(clientVolfile, 'client.vol');
    expect(v.volumes.map((x) => [x.name, x.type, [...x.options], x.subvolumes, x.line])).toEqual([
      ['vol-posix', 'storage/posix', [['directory', '/srv/brick']], [], 2],
      ['vol-write-behind', 'performance/write-behind', [['cache-size', '4MB'], ['flush-behind', 'on']], ['vol-posix'], 7],
      ['vol', 'debug/io-stats', [['log-file', '/var/log/with space.log'], ['unique-id', 'a#b'], ['quoted', 'say "hi"']], ['vol-write-behind'], 14],
    ]);
    expect(v.volumes[1]!.optionLines.get('flush-behind')).toBe(11);
    expect(checkVolfileGraph(v)).toEqual([]);
  });

  it('round-trips through printVolfile', () => {
    const v = parseVolfile(clientVolfile, 'client.vol');
    const again = parseVolfile(printVolfile(v), 'printed.vol');
    expect(again.volumes.map((x) => [x.name, x.type, [...x.options], x.subvolumes])).toEqual(v.volumes.map((x) => [x.name, x.type, [...x.options], x.subvolumes]));
  });

  it('warns about a repeated option (the later wins) and about volumes the top does not reach', () => {
    const v = parseVolfile('volume a\n type t/a\n option k 1\n option k 2\nend-volume\nvolume b\n type t/b\nend-volume\n', 'w.vol');
    expect(v.volumes[0]!.options.get('k')).toBe('2');
    expect(v.warnings).toEqual(["w.vol:4: volume 'a': option 'k' is set again (line 3); the later value wins"]);
    expect(checkVolfileGraph(v)).toEqual(["w.vol:1: volume 'a' is not below the top volume 'b'; it is ignored"]);
  });

  const errors: Array<[string, string, string]> = [
    ['missing end-volume', 'volume a\n type t/a\nvolume b\n type t/b\nend-volume\n', "e.vol:3: volume 'a': 'end-volume' missing before the next 'volume'"],
    ['end of file inside a volume', 'volume a\n type t/a\n option x y\n', "e.vol:3: volume 'a': 'end-volume' missing at the end of the file"],
    ['duplicate volume', 'volume a\n type t/a\nend-volume\nvolume a\n type t/a\nend-volume\n', "e.vol:4: volume 'a': defined twice (first at line 1)"],
    ['duplicate type', 'volume a\n type t/a\n type t/b\nend-volume\n', "e.vol:3: volume 'a': 'type' given twice (first at line 2)"],
    ['no type', 'volume a\nend-volume\n', "e.vol:2: volume 'a': no 'type' given"],
    ['option before type', 'volume a\n option x y\n type t/a\nend-volume\n', "e.vol:2: volume 'a': 'type' must come before any 'option'"],
    ['option without value', 'volume a\n type t/a\n option directory\nend-volume\n', "e.vol:3: volume 'a': option 'directory' needs a value"],
    ['option with two values', 'volume a\n type t/a\n option k v w\nend-volume\n', "e.vol:3: volume 'a': option 'k' takes one value; quote a value that has spaces"],
    ['undefined subvolume', 'volume a\n type t/a\n subvolumes b\nend-volume\n', "e.vol:3: volume 'a': subvolume 'b' is not defined before this volume"],
    ['self subvolume', 'volume a\n type t/a\n subvolumes a\nend-volume\n', "e.vol:3: volume 'a': a volume cannot be its own subvolume"],
    ['unterminated quote', 'volume a\n type t/a\n option k "open\nend-volume\n', 'e.vol:3: unterminated quoted string'],
    ['backticks', 'volume a\n type t/a\n option k `hostname`\nend-volume\n', 'e.vol:3: backticks are not allowed: xlfs never runs shell commands from a volfile'],
    ['empty file', '# nothing\n', 'e.vol:1: the volfile defines no volume'],
    ['stray word', 'hello\n', "e.vol:1: expected 'volume', found 'hello'"],
  ];
  for (const [what, text, message] of errors) {
    it(`reports ${what} on one line with the line number`, () => {
      expect(() => parseVolfile(text, 'e.vol')).toThrow(message);
      try {
        parseVolfile(text, 'e.vol');
      } catch (e) {
        expect((e as Error).message).toBe(message);
      }
    });
  }
});

describe('option values', () => {
  const d = (decl: Partial<OptionDecl>): OptionDecl => ({ key: 'k', type: 'str', description: '', ...decl });
  it('parses each type and rejects bad values with the reason', () => {
    expect(parseOptionValue(d({ type: 'sizet' }), '1.5MB')).toBe(1.5 * 1024 * 1024);
    expect(parseOptionValue(d({ type: 'sizet' }), '128kb')).toBe(131072);
    expect(() => parseOptionValue(d({ type: 'sizet' }), '12XB')).toThrow("option 'k': '12XB' is not a size (use a number with an optional B/KB/MB/GB/TB/PB suffix)");
    expect(() => parseOptionValue(d({ type: 'sizet', max: 1024 ** 3 }), '2GB')).toThrow("option 'k': 2GB is above the maximum 1GB");
    expect(parseOptionValue(d({ type: 'bool' }), 'Enable')).toBe(true);
    expect(parseOptionValue(d({ type: 'bool' }), 'off')).toBe(false);
    expect(() => parseOptionValue(d({ type: 'bool' }), 'maybe')).toThrow('is not a boolean');
    expect(parseOptionValue(d({ type: 'int', min: 1, max: 64 }), '16')).toBe(16);
    expect(() => parseOptionValue(d({ type: 'int', min: 1, max: 64 }), '65')).toThrow('65 is above the maximum 64');
    expect(() => parseOptionValue(d({ type: 'int' }), '1.5')).toThrow('is not an integer');
    expect(parseOptionValue(d({ type: 'time' }), '2m')).toBe(120);
    expect(parseOptionValue(d({ type: 'percent' }), '10%')).toBe(10);
    expect(() => parseOptionValue(d({ type: 'percent' }), '101')).toThrow('percentage');
    expect(parseOptionValue(d({ type: 'percent-or-sizet' }), '1GB')).toBe(1024 ** 3);
    expect(parseOptionValue(d({ type: 'path' }), '/srv/x')).toBe('/srv/x');
    expect(() => parseOptionValue(d({ type: 'path' }), 'relative')).toThrow('is not an absolute path');
    expect(() => parseOptionValue(d({ type: 'path' }), '/a/../b')).toThrow("must not contain '..'");
    expect(parseOptionValue(d({ type: 'str', values: ['tcp', 'rdma'] }), 'tcp')).toBe('tcp');
    expect(() => parseOptionValue(d({ type: 'str', values: ['tcp', 'rdma'] }), 'udp')).toThrow("'udp' is not one of tcp, rdma");
    expect(() => parseOptionValue(d({ type: 'xlator' }), 'nope', { xlatorNames: new Set(['a']) })).toThrow('is not a volume of this graph');
    expect(parseOptionValue(d({ type: 'internet-address' }), '127.0.0.1')).toBe('127.0.0.1');
    expect(() => parseOptionValue(d({ type: 'internet-address' }), 'bad host!')).toThrow('is not a host name');
  });

  it('resolves aliases, globs, defaults and unknown keys', () => {
    const decls: OptionDecl[] = [
      { key: 'cache-size', aliases: ['window-size'], type: 'sizet', default: '1MB', description: '' },
      { key: 'flush-behind', type: 'bool', default: 'on', description: '' },
      { key: 'transport.socket.*', type: 'any', description: '' },
    ];
    const r = resolveOptions(decls, new Map([['window-size', '4MB'], ['transport.socket.nodelay', '1'], ['colour', 'blue']]));
    expect(r).toEqual({
      values: { 'cache-size': 4 * 1024 * 1024, 'transport.socket.nodelay': '1', 'flush-behind': true },
      unknown: ['colour'],
      renamed: [['window-size', 'cache-size']],
    });
  });
});
