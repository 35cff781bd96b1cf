// Process log: GlusterFS's levels and line shape, to stderr or a file, plus sinks for tests and
// tools. A disabled level costs one comparison, so hot paths may call isEnabled() first.
import { appendFileSync } from 'node:fs';

export const LogLevel = { NONE: 0, CRITICAL: 1, ERROR: 2, WARNING: 3, INFO: 4, DEBUG: 5, TRACE: 6 } as const;
export type LogLevelName = keyof typeof LogLevel;
const LETTER = ['', 'C', 'E', 'W', 'I', 'D', 'T'];

export type LogSink = (level: number, domain: string, message: string) => void;

class ProcessLog {
  level: number = LogLevel.INFO;
  file: string | null = null;
  toStderr = true;
  private readonly sinks = new Set<LogSink>();

  isEnabled(level: number): boolean {
    return level <= this.level || this.sinks.size > 0;
  }

  write(level: number, domain: string, message: string): void {
    for (const sink of this.sinks) sink(level, domain, message);
    if (level > this.level) return;
    const line = `[${timestamp()}] ${LETTER[level]} [${domain}] ${message}\n`;
    if (this.file) appendFileSync(this.file, line);
    else if (this.toStderr) process.stderr.write(line);
  }

  addSink(sink: LogSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}

export const processLog = new ProcessLog();

export function parseLogLevel(name: string): number {
  const level = (LogLevel as Record<string, number>)[name.toUpperCase()];
  if (level === undefined) throw new Error(`unknown log level '${name}' (use one of ${Object.keys(LogLevel).join(', ')})`);
  return level;
}

/** A logger bound to one domain: a translator's name, 'fuse', 'graph' ... */
export class Logger {
  constructor(readonly domain: string) {}
  isEnabled(level: number): boolean {
    return processLog.isEnabled(level);
  }
  critical(msg: string): void {
    processLog.write(LogLevel.CRITICAL, this.domain, msg);
  }
  error(msg: string): void {
    processLog.write(LogLevel.ERROR, this.domain, msg);
  }
  warning(msg: string): void {
    processLog.write(LogLevel.WARNING, this.domain, msg);
  }
  info(msg: string): void {
    processLog.write(LogLevel.INFO, this.domain, msg);
  }
  debug(msg: string): void {
    if (processLog.isEnabled(LogLevel.DEBUG)) processLog.write(LogLevel.DEBUG, this.domain, msg);
  }
  trace(msg: string): void {
    if (processLog.isEnabled(LogLevel.TRACE)) processLog.write(LogLevel.TRACE, this.domain, msg);
  }
  at(level: number, msg: string): void {
    processLog.write(level, this.domain, msg);
  }
}

function timestamp(): string {
  const now = new Date();
  const us = String(now.getUTCMilliseconds() * 1000).padStart(6, '0');
  return `${now.toISOString().slice(0, 19).replace('T', ' ')}.${us} +0000`;
}
