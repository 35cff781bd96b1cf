// Translators are found by their volfile type string ('performance/write-behind'). The runtime keeps
// the registry but never imports a translator: xlators/index.ts registers them.
import type { XlatorClass } from './xlator.js';

const classes = new Map<string, XlatorClass>();

export function registerXlator(type: string, cls: XlatorClass): void {
  const existing = classes.get(type);
  if (existing !== undefined && existing !== cls) throw new Error(`translator type '${type}' is registered twice`);
  classes.set(type, cls);
}

export function findXlator(type: string): XlatorClass | undefined {
  return classes.get(type);
}

export function knownXlatorTypes(): string[] {
  return [...classes.keys()].sort();
}
