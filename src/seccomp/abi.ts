// The kernel's seccomp ABI (linux/seccomp.h) as far as the filter uses it, and the Linux constants
// the allow table and the capability classifier (src/confinement/syscall-classes.ts) test
// arguments against. All of them have the same values on amd64 and arm64
// (both use the asm-generic ioctl, fcntl and clone numbers); what differs (the audit arch, x32)
// is in src/arch.

/** struct seccomp_data: nr u32 @0, arch u32 @4, instruction_pointer u64 @8, args u64[6] @16. */
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
const SECCOMP_DATA_ARGS = 16;
export const SECCOMP_DATA_SIZE = 64;

/** Offset of the low (or high) 32 bits of syscall argument `i`; both arches are little-endian. */
export function argLowOffset(i: number): number {
  return SECCOMP_DATA_ARGS + 8 * i;
}
export function argHighOffset(i: number): number {
  return SECCOMP_DATA_ARGS + 8 * i + 4;
}

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_KILL_THREAD = 0x00000000;
const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

export const ENOSYS = 38;

/** ioctl requests (asm-generic/ioctls.h). */
export const TCGETS = 0x5401;
export const TIOCGWINSZ = 0x5413;
export const FIONREAD = 0x541b;
/** Pushes a byte into the terminal's input queue, as if typed. */
export const TIOCSTI = 0x5412;
/** The Linux console's multiplexed request; its selection paste types into the console too. */
export const TIOCLINUX = 0x541c;

/** fcntl commands (asm-generic/fcntl.h, linux/fcntl.h). */
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_SETOWN = 8;
export const F_GETOWN = 9;
export const F_SETSIG = 10;
export const F_GETSIG = 11;
export const F_SETOWN_EX = 15;
export const F_GETOWN_EX = 16;
export const F_GETOWNER_UIDS = 17;
export const F_OFD_GETLK = 36;
export const F_OFD_SETLK = 37;
export const F_OFD_SETLKW = 38;
export const F_SETLEASE = 1024;
export const F_GETLEASE = 1025;
export const F_NOTIFY = 1026;
export const F_DUPFD_CLOEXEC = 1030;
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;
export const F_ADD_SEALS = 1033;
export const F_GET_SEALS = 1034;

/** clone flags (linux/sched.h); the kernel reads only the low 32 bits of clone's flags. */
export const CLONE_THREAD = 0x00010000;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_UNTRACED = 0x00800000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;

export const AF_UNIX = 1;

/** prctl options (linux/prctl.h). */
export const PR_SET_SECCOMP = 22;
export const PR_SET_MM = 35;

/** Memory protections (asm-generic/mman-common.h); PROT_EXEC is 4. */
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
