/** A LogOutputChannel level. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const levels: Record<string, LogLevel> = {
  VRB: 'trace',
  DBG: 'debug',
  INF: 'info',
  WRN: 'warn',
  ERR: 'error',
  FTL: 'error',
};

/**
 * Reads the server's stderr lines (Serilog: `[HH:mm:ss.fff LVL] message`) into a level and the message without
 * the prefix (the output channel adds its own time). A line without the prefix (an exception's stack) keeps the
 * level of the line before it.
 */
export class StderrLevels {
  private _last: LogLevel = 'info';

  read(line: string): { level: LogLevel; message: string } {
    const match = /^\[\d{2}:\d{2}:\d{2}(?:\.\d+)? ([A-Z]{3})\] ?(.*)$/.exec(line);
    const level = match ? levels[match[1] ?? ''] : undefined;
    if (match && level) {
      this._last = level;
      return { level, message: match[2] ?? '' };
    }
    return { level: this._last, message: line };
  }
}
