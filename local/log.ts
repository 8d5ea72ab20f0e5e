/**
 * A levelled logger for the offline stack: one line per event, prefixed with the
 * component, never a token or a message body. LOG_LEVEL picks the threshold (default `info`,
 * `warn` under jest so test output stays readable).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

function defaultLevel(): LogLevel {
  const fromEnv = process.env.LOG_LEVEL as LogLevel | undefined;
  if (fromEnv !== undefined && fromEnv in RANK) return fromEnv;
  return process.env.JEST_WORKER_ID !== undefined ? 'warn' : 'info';
}

export function createLogger(component: string, level: LogLevel = defaultLevel()): Logger {
  const threshold = RANK[level];
  const write = (at: Exclude<LogLevel, 'silent'>, message: string): void => {
    if (RANK[at] < threshold) return;
    const line = `[${new Date().toISOString()}] ${at.toUpperCase().padEnd(5)} ${component}: ${message}\n`;
    (at === 'error' || at === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (message) => write('debug', message),
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
