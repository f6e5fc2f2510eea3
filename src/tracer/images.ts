// Which binary a traced process runs (docs/design.md #7, #8): read through /proc/PID/exe (the file
// the process really executes, even if the path was replaced), cached by device and inode, with
// the load bias taken per process from the auxiliary vector.
import { readFileSync, readlinkSync, statSync } from "node:fs";
import { openImage, policedImage, type Image, type ProcessImage } from "../decision/image.ts";
import type { GoBinary } from "../gobin/binary.ts";
import type { Profile } from "../policy/profile.ts";

const AT_ENTRY = 9;

export class ImageCache {
  private readonly byInode = new Map<string, Image>();

  constructor(
    private readonly profile: Profile,
    private readonly warn: (msg: string, fields: Record<string, unknown>) => void,
  ) {}

  /** Takes `binary`, opened by the checks, as the image of the file that process `tgid` runs. */
  adopt(tgid: number, binary: GoBinary): void {
    const exe = `/proc/${tgid}/exe`;
    const st = statSync(exe);
    this.byInode.set(`${st.dev}:${st.ino}`, policedImage(readlinkSync(exe), binary.elf, binary.buildInfo, binary.pclntab, this.profile, this.warn));
  }

  /** The image and load bias of process `tgid`; throws if /proc cannot be read (it died). */
  forProcess(tgid: number): ProcessImage {
    const exe = `/proc/${tgid}/exe`;
    const st = statSync(exe);
    const key = `${st.dev}:${st.ino}`;
    let image = this.byInode.get(key);
    if (!image) {
      image = openImage(exe, this.profile, this.warn);
      this.byInode.set(key, image);
    }
    if (image.kind !== "policed" || image.elf.type === "exec") return { image, bias: 0, goStarted: false };
    return { image, bias: auxEntry(tgid) - image.elf.entry, goStarted: false };
  }
}

function auxEntry(tgid: number): number {
  const auxv = readFileSync(`/proc/${tgid}/auxv`);
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let off = 0; off + 16 <= auxv.length; off += 16) {
    if (view.getUint32(off, true) === AT_ENTRY && view.getUint32(off + 4, true) === 0) {
      return view.getUint32(off + 8, true) + view.getUint32(off + 12, true) * 2 ** 32;
    }
  }
  throw new Error(`/proc/${tgid}/auxv has no AT_ENTRY`);
}
