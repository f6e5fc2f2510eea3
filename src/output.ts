// Writing to the standard streams: synchronously and in full, so that nothing is lost when the
// process exits right after (the CLI exits as soon as the answer is known).
import { writeSync } from "node:fs";

export function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (e) {
      if ((e as { code?: unknown }).code !== "EAGAIN") return; // a closed stdout/stderr: nothing to do
    }
  }
}
