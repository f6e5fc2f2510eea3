// Job control in a real terminal (tmux): Ctrl-Z stops gomodjail and its program together, `fg`
// resumes both, and the program reads the terminal again.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { gomodjailCommand } from "../helpers/gomodjail.ts";

const tmux = Bun.which("tmux");
const session = `gomodjail-test-${process.pid}`;

function tmuxRun(...args: string[]): string {
  const r = Bun.spawnSync(["tmux", ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

async function screenShows(text: string): Promise<boolean> {
  for (let i = 0; i < 2000; i++) {
    if (tmuxRun("capture-pane", "-p", "-t", session).includes(text)) return true;
    await Bun.sleep(10);
  }
  return false;
}

afterAll(() => {
  if (tmux) Bun.spawnSync(["tmux", "kill-session", "-t", session]);
});

test.skipIf(!tmux)("Ctrl-Z and fg in a terminal: the program stops and resumes with its terminal", async () => {
  const prog = goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });
  const command = gomodjailCommand(["run", `--go-mod=${join(repoRoot, "test/fixtures/jail/app/go.mod")}`, "--", prog, "echo"]);
  tmuxRun("new-session", "-d", "-s", session, "-x", "200", "-y", "50", "bash --norc --noprofile");
  tmuxRun("send-keys", "-t", session, command.join(" "), "Enter");
  expect(await screenShows("ready")).toBe(true);
  tmuxRun("send-keys", "-t", session, "C-z");
  expect(await screenShows("Stopped")).toBe(true);
  tmuxRun("send-keys", "-t", session, "fg", "Enter");
  tmuxRun("send-keys", "-t", session, "typed after fg", "Enter");
  expect(await screenShows("echo: typed after fg")).toBe(true);
  tmuxRun("send-keys", "-t", session, "C-d");
  tmuxRun("send-keys", "-t", session, "echo exit=$?", "Enter");
  expect(await screenShows("exit=0")).toBe(true);
});
