import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "../../src/log.ts";
import { lineLogger, type LogFormat, type Logger, recordLine } from "../../src/log-format.ts";

const repoRoot = join(import.meta.dir, "../..");

// The library's pino logger and the command line's line logger must write the same lines.
const loggers = {
  pino: (debug: boolean, format: LogFormat, write: (line: string) => void): Logger => createLogger({ debug, format, destination: { write } }),
  line: (debug: boolean, format: LogFormat, write: (line: string) => void): Logger => lineLogger({ debug, format, write }),
};

for (const [name, make] of Object.entries(loggers)) {
  function capture(format: LogFormat, debug = false) {
    const lines: string[] = [];
    const logger = make(debug, format, (line: string) => void lines.push(line));
    return { logger, lines };
}

const blocked = { pid: 123, exe: "/x/y", syscall: "execve", entry: "/p/f.go:12:example.com/m.F", module: "example.com/m" };

describe(`${name} logger: text format`, () => {
  test("a blocked syscall is one logfmt line: level, msg, then the fields in order", () => {
    const { logger, lines } = capture("text");
    logger.warn(blocked, "***Blocked***");
    expect(lines).toEqual([
      "level=WARN msg=***Blocked*** pid=123 exe=/x/y syscall=execve entry=/p/f.go:12:example.com/m.F module=example.com/m\n",
    ]);
  });

  test("values with spaces, =, quotes or control characters are quoted with Go escapes", () => {
    const { logger, lines } = capture("text");
    logger.error(
      { path: "/a b", kv: "a=b", quote: 'say "hi"', ctl: "a\nb\tc\u0001", nbsp: "a\u00a0b", empty: "", back: "a\\b", word: "héllo" },
      "two words",
    );
    expect(lines).toEqual([
      'level=ERROR msg="two words" path="/a b" kv="a=b" quote="say \\"hi\\"" ctl="a\\nb\\tc\\x01" nbsp="a\\u00a0b" empty="" back=a\\b word=héllo\n',
    ]);
  });

  test("numbers, booleans, null and arrays are written as JSON", () => {
    const { logger, lines } = capture("text");
    logger.info({ n: 1.5, t: true, z: null, list: ["a", "b"] }, "values");
    expect(lines).toEqual(['level=INFO msg=values n=1.5 t=true z=null list="[\\"a\\",\\"b\\"]"\n']);
  });

  test("debug records appear only in debug mode", () => {
    const quiet = capture("text");
    quiet.logger.debug("hidden");
    quiet.logger.info("shown");
    expect(quiet.lines).toEqual(["level=INFO msg=shown\n"]);
    const loud = capture("text", true);
    loud.logger.debug({ pid: 1 }, "visible");
    expect(loud.lines).toEqual(["level=DEBUG msg=visible pid=1\n"]);
  });
});

describe(`${name} logger: json format`, () => {
  test("one JSON object per line, with no time, pid or hostname of gomodjail's own", () => {
    const { logger, lines } = capture("json");
    logger.warn(blocked, "***Blocked***");
    expect(lines.length).toBe(1);
    expect(lines[0].endsWith("\n")).toBe(true);
    expect(lines[0].trimEnd()).not.toContain("\n");
    expect(JSON.parse(lines[0])).toEqual({ level: "WARN", msg: "***Blocked***", ...blocked });
  });
});

describe(`${name} logger: the tracer thread's lines`, () => {
  const records: [string, Record<string, unknown>][] = [
    ["***Blocked***", blocked],
    ["***Would block***", { ...blocked, reason: "a syscall from C code on a thread without a goroutine" }],
    ["two words", { path: "/a b", quote: 'say "hi"', ctl: "a\nb\u0001", n: 1.5, t: true, z: null, list: ["a", "b"], gone: undefined }],
  ];
  for (const format of ["text", "json"] as const) {
    test(`${format}: the same lines as the logger's`, () => {
      const { logger, lines } = capture(format, true);
      for (const [msg, fields] of records) {
        logger.warn(fields, msg);
        logger.debug(fields, msg);
      }
      expect(records.flatMap(([msg, fields]) => [recordLine(format, "warn", msg, fields), recordLine(format, "debug", msg, fields)])).toEqual(lines);
    });
  }
});

}

describe("file descriptor destination", () => {
  test("a line logged right before process.exit reaches stderr", () => {
    const script = `
      import { createLogger } from "./src/log.ts";
      createLogger({ debug: false, format: "text" }).warn({ pid: 7 }, "***Blocked***");
      process.exit(3);
    `;
    const result = Bun.spawnSync([process.execPath, "-e", script], { cwd: repoRoot, stderr: "pipe", stdout: "pipe" });
    expect(result.exitCode).toBe(3);
    expect(result.stderr.toString()).toBe("level=WARN msg=***Blocked*** pid=7\n");
  });
});
