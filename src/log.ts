// The library's default logger: pino records written synchronously (a line logged just before exit
// is never lost), either as one logfmt line per record (`level=WARN msg=... key=value`) or as JSON
// lines, the formats of log-format.ts, whose lineLogger the command line uses instead.
import pino, { type Logger } from "pino";
import { type LogFormat, logfmtLine } from "./log-format.ts";

/** Where records go: a file descriptor, or anything with a synchronous write(). */
type LogDestination = number | { write(line: string): unknown };

interface LoggerOptions {
  debug: boolean;
  format: LogFormat;
  /** Defaults to stderr. */
  destination?: LogDestination;
}

export function createLogger(options: LoggerOptions): Logger {
  const dest = options.destination ?? 2;
  const sink = typeof dest === "number" ? pino.destination({ fd: dest, sync: true }) : dest;
  const stream = options.format === "json" ? sink : { write: (line: string) => sink.write(logfmtLine(JSON.parse(line))) };
  return pino(
    {
      level: options.debug ? "debug" : "info",
      base: undefined,
      timestamp: false,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    stream,
  );
}
