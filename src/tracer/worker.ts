// The tracer's own thread. It owns every ptrace request and blocks in waitpid, leaving the main
// thread's event loop free (signal forwarding, callers of the library API).
import { createLogger, type LogFormat } from "../log.ts";
import type { Policy } from "../policy/profile.ts";
import { traceProgram, type BlockedSyscall, type TargetExit, type TraceRequest } from "./tracer.ts";

/** What the main thread sends: a TraceRequest with the profile's map flattened for cloning. */
export interface WorkerRequest extends Omit<TraceRequest, "profile"> {
  profile: { mainModule: string | undefined; defaultPolicy: Policy; modules: [string, Policy][] } | undefined;
  debug: boolean;
  logFormat: LogFormat;
}

export type WorkerMessage =
  | { type: "started"; pid: number }
  | { type: "blocked"; event: BlockedSyscall }
  | { type: "exit"; exit: TargetExit }
  | { type: "error"; message: string; stack?: string };

declare const self: Worker;

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  const post = (m: WorkerMessage) => self.postMessage(m);
  const profile = req.profile && { ...req.profile, modules: new Map(req.profile.modules) };
  // Logged from this thread, synchronously: a Blocked line comes out before the target can
  // react to the failed call.
  const logger = createLogger({ debug: req.debug, format: req.logFormat, destination: 2 });
  try {
    const exit = traceProgram(
      { ...req, profile },
      {
        started: (pid) => post({ type: "started", pid }),
        blocked: (event) => {
          const { pid, exe, syscall, entry, module, reason } = event;
          const fields = reason === "confined" ? { pid, exe, syscall, entry, module } : { pid, exe, syscall, entry, module, reason };
          logger.warn(fields, event.audit ? "***Would block***" : "***Blocked***");
          post({ type: "blocked", event });
        },
        warn: (msg, fields) => logger.warn(fields, msg),
        debug: req.debug ? (msg, fields) => logger.debug(fields, msg) : undefined,
      },
    );
    post({ type: "exit", exit });
  } catch (err) {
    const e = err as Error;
    post({ type: "error", message: e.message ?? String(err), stack: e.stack });
  }
};
