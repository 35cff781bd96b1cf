// xlfs graph VOLFILE: check a volfile the way a mount would (types, subvolumes, option values)
// and print the graph top-down with every option's effective value.
import { Graph, parseXlatorOption } from '../../runtime/graph.js';
import type { Xlator } from '../../runtime/xlator.js';

export interface GraphCommandOptions {
  xlatorOption?: string[];
  json?: boolean;
}

export function graphCommand(volfile: string, options: GraphCommandOptions): void {
  const graph = Graph.fromFile(volfile, { xlatorOptions: (options.xlatorOption ?? []).map(parseXlatorOption) });
  if (options.json) {
    process.stdout.write(JSON.stringify(graph.dump(), null, 2) + '\n');
    return;
  }
  const lines: string[] = [];
  const walk = (xl: Xlator, depth: number) => {
    const pad = '  '.repeat(depth);
    lines.push(`${pad}${xl.name} (${xl.type})`);
    for (const [key, value] of Object.entries(xl.options)) lines.push(`${pad}    ${key} = ${String(value)}`);
    for (const child of xl.children) walk(child, depth + 1);
  };
  walk(graph.top, 0);
  for (const w of graph.warnings) lines.push(`warning: ${w}`);
  process.stdout.write(lines.join('\n') + '\n');
}
