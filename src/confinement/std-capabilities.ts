// The capability class of a call into the standard library, for `gomodjail analyze`: what the
// called function can do, as data, a reason per row. It completes the run-time rows of
// std-functions.ts (STD_FUNCTION_CLASSES, the functions whose syscalls count as theirs), which
// are looked up first, so that a function has one class everywhere and `allow=` means the same
// to `run` and to `analyze`.
//
// How a row matches a function, most specific first: its exact name (`os.Open`, `os.(*File).Read`),
// every method of a type (`os.(*File).*`, value and pointer receivers alike), then its whole
// package (`os`). A function that no row matches is neither safe nor classified: the analysis
// reads what it calls. A row with class SAFE stops that reading: the function is known to do
// nothing the classes name (formatting, hashing, errors), however much machinery it reaches.
// Whatever the package, a std type's error and text methods (Error, String, Unwrap...) are
// SAFE: an itab of `error` or `fmt.Stringer` hands out little else.
//
// Written for this project after Capslock's published mapping (google/capslock, Apache-2.0),
// with the original gomodjail v2's split of FILES into FILES/READ and FILES/WRITE and its rule
// that using a descriptor already held is SAFE; compared with Capslock's mapping by
// scripts/compare-class-table.ts (docs/capabilities.md has the result and the deliberate
// differences), pinned by test/confinement/std-capabilities.test.ts.
import type { CapabilityClass } from "../policy/classes.ts";
import { STD_FUNCTION_CLASSES } from "./std-functions.ts";

interface StdCapabilityRow {
  class: CapabilityClass;
  /** Function names as the binary spells them; `T.*` for every method of T. */
  functions?: readonly string[];
  /** Whole packages, by import path (not their subpackages). */
  packages?: readonly string[];
  reason: string;
}

const fileMethods = (names: string) => names.split(" ").map((m) => `os.(*File).${m}`);
const rootMethods = (names: string) => names.split(" ").map((m) => `os.(*Root).${m}`);

const STD_CAPABILITIES: readonly StdCapabilityRow[] = [
  // Packages: the default of every function in them that no row below names.
  { class: "OPERATING_SYSTEM", packages: ["os"], reason: "the os package's other functions (processes, signals) act on the operating system" },
  { class: "EXEC", packages: ["os/exec", "plugin"], reason: "runs programs (os/exec) or loads code (plugin)" },
  { class: "MODIFY_SYSTEM_STATE", packages: ["os/signal"], reason: "changes how the whole process handles signals" },
  { class: "READ_SYSTEM_STATE", packages: ["os/user", "internal/syscall/execenv"], reason: "reads users, groups and the environment" },
  {
    class: "REFLECT",
    functions: [
      "reflect.Value.Call", "reflect.Value.CallSlice", "reflect.MakeFunc", "reflect.Value.Method", "reflect.Value.MethodByName",
      "reflect.NewAt", "reflect.Value.UnsafeAddr", "reflect.Value.UnsafePointer", "reflect.Value.Pointer", "reflect.Value.SetPointer",
    ],
    reason: "calls functions the call graph does not show (found by name or index, or made at run time), or hands out raw memory",
  },
  { class: "RUNTIME", packages: ["runtime", "runtime/debug", "runtime/pprof", "runtime/trace", "runtime/metrics", "runtime/cgo"], reason: "the runtime's own settings and profiles" },
  {
    class: "SYSTEM_CALLS",
    packages: ["syscall", "internal/syscall/unix", "runtime/internal/syscall", "internal/runtime/syscall"],
    reason: "raw system calls: any capability, by number",
  },
  { class: "NETWORK", packages: ["net", "net/http"], reason: "sockets, name resolution and HTTP" },
  {
    class: "SAFE",
    packages: [
      "fmt", "time", "time/tzdata", "math", "math/big", "math/bits", "math/rand", "math/rand/v2", "sort", "slices", "maps", "strings", "bytes",
      "reflect", "strconv", "unicode", "unicode/utf8", "unicode/utf16", "errors", "sync", "sync/atomic", "unique", "weak", "iter", "context",
      "hash/adler32", "hash/crc32", "hash/crc64", "hash/fnv", "hash/maphash", "crypto/md5", "crypto/sha1", "crypto/sha256", "crypto/sha512",
      "crypto/subtle", "crypto/aes", "crypto/cipher", "crypto/hmac", "encoding/asn1", "encoding/hex", "encoding/base64", "encoding/binary",
      "debug/dwarf", "debug/gosym", "internal/bytealg", "internal/cpu", "internal/reflectlite", "internal/abi", "internal/runtime/maps",
      "internal/runtime/atomic", "internal/chacha8rand", "internal/godebug", "internal/bisect", "vendor/golang.org/x/sys/cpu",
    ],
    reason: "computation on values the caller has: formatting, parsing, sorting, hashing, synchronization, time arithmetic",
  },
  // Files: reading.
  {
    class: "FILES/READ",
    functions: [
      "os.Open", "os.ReadFile", "os.ReadDir", "os.Stat", "os.Lstat", "os.Readlink", "os.DirFS", "os.OpenRoot", "os.OpenInRoot",
      "os.dirFS.Open", "os.dirFS.ReadFile", "os.dirFS.ReadDir", "os.dirFS.Stat", "os.(*unixDirent).Info",
      ...fileMethods("ReadDir Readdir Readdirnames"),
      ...rootMethods("Open ReadFile Stat Lstat Readlink OpenRoot"),
      "os/exec.LookPath",
    ],
    reason: "gets at files by path: opens read-only, reads a path's metadata or a link's target, lists names in a directory",
  },
  // Files: writing.
  {
    class: "FILES/WRITE",
    functions: [
      "os.Create", "os.CreateTemp", "os.MkdirTemp", "os.WriteFile", "os.OpenFile", "os.Mkdir", "os.MkdirAll", "os.Remove", "os.RemoveAll",
      "os.Rename", "os.Chmod", "os.Chown", "os.Lchown", "os.Chtimes", "os.Link", "os.Symlink", "os.Truncate", "os.Pipe", "os.CopyFS",
      ...fileMethods("Chmod Chown Truncate"),
      ...rootMethods("Create OpenFile Mkdir MkdirAll Remove RemoveAll Rename Link Symlink WriteFile Chmod Chown Lchown Chtimes"),
      "runtime/debug.WriteHeapDump",
    ],
    reason: "opens paths for writing (os.OpenFile: its flags are data) or creates them, changes the tree (remove, rename, links, directories) or metadata",
  },
  // The environment and identity.
  {
    class: "READ_SYSTEM_STATE",
    functions: [
      "os.Getenv", "os.LookupEnv", "os.Environ", "os.ExpandEnv", "os.Getpid", "os.Getppid", "os.Getuid", "os.Geteuid", "os.Getgid",
      "os.Getegid", "os.Getgroups", "os.Getpagesize", "os.Getwd", "os.Hostname", "os.Executable", "os.TempDir", "os.UserCacheDir",
      "os.UserConfigDir", "os.UserHomeDir", "os.FindProcess", "net.Interfaces", "net.InterfaceAddrs", "net.InterfaceByIndex",
      "net.InterfaceByName", "runtime.GOROOT", "runtime/debug.ReadBuildInfo", "os/signal.Ignored", "syscall.Getenv", "syscall.Environ",
    ],
    reason: "reads the environment, the process's identity, the working directory, the host's name or interfaces",
  },
  {
    class: "MODIFY_SYSTEM_STATE",
    functions: [
      "os.Setenv", "os.Unsetenv", "os.Clearenv", "os.Chdir", "os.(*File).Chdir",
      "syscall.Setenv", "syscall.Unsetenv", "syscall.Clearenv", "log.SetOutput", "log.SetFlags", "log.SetPrefix", "log/slog.SetDefault",
    ],
    reason: "changes what the rest of the program relies on: its environment (the next program's too), working directory, default logger",
  },
  {
    class: "EXEC",
    functions: ["os.StartProcess", "syscall.ForkExec", "syscall.StartProcess", "syscall.Exec"],
    reason: "starts a program, or replaces the process with one",
  },
  {
    class: "NETWORK",
    functions: ["crypto/tls.Dial", "crypto/tls.DialWithDialer", "crypto/tls.Listen", "crypto/tls.(*Dialer).Dial", "crypto/tls.(*Dialer).DialContext"],
    reason: "connects or listens, with TLS on top",
  },
  {
    class: "SAFE",
    functions: [
      // os: errors, exit status, predicates on errors and paths.
      "os.Exit", "os.IsExist", "os.IsNotExist", "os.IsPermission", "os.IsTimeout", "os.IsPathSeparator", "os.NewSyscallError", "os.Expand",
      "os.SameFile", "os.(*ProcessState).*", "os.(*fileStat).*", "os.(*unixDirent).IsDir", "os.(*unixDirent).Name", "os.(*unixDirent).Type",
      // A descriptor the module holds: using it gets at nothing new (the run-time filter lets these through too).
      ...fileMethods("Read ReadAt ReadFrom Write WriteAt WriteString WriteTo Seek Close Sync Stat Name Fd SyscallConn SetDeadline SetReadDeadline SetWriteDeadline"),
      "os.NewFile", "os.Pipe", ...rootMethods("Name FS Close"),
      // os/exec: building and reading a command runs nothing; Start and Run do.
      "os/exec.(*Cmd).String", "os/exec.(*Cmd).StdinPipe", "os/exec.(*Cmd).StdoutPipe", "os/exec.(*Cmd).StderrPipe", "os/exec.(*Cmd).Wait",
      "os/exec.(*prefixSuffixSaver).*",
      // runtime: stacks, profiles and counters of the program itself.
      "runtime.Caller", "runtime.Callers", "runtime.CallersFrames", "runtime.FuncForPC", "runtime.GC", "runtime.GOMAXPROCS", "runtime.Gosched",
      "runtime.KeepAlive", "runtime.NumCPU", "runtime.NumGoroutine", "runtime.ReadMemStats", "runtime.Stack", "runtime.Version",
      "runtime.(*Frames).Next", "runtime.(*Func).*",
      // net: addresses are values.
      "net.ParseIP", "net.ParseCIDR", "net.ParseMAC", "net.IPv4", "net.IPv4Mask", "net.CIDRMask", "net.JoinHostPort", "net.SplitHostPort",
      "net.Pipe", "net.IP.*", "net.(*IP).*", "net.IPMask.*", "net.(*IPNet).*", "net.HardwareAddr.*", "net.(*TCPAddr).*", "net.(*UDPAddr).*",
      "net.(*UnixAddr).*", "net.(*IPAddr).*", "net.Flags.*",
      // net/http: requests, headers and handlers as values; registering a handler serves nothing.
      "net/http.CanonicalHeaderKey", "net/http.DetectContentType", "net/http.ParseHTTPVersion", "net/http.ParseTime", "net/http.StatusText",
      "net/http.ParseCookie", "net/http.ParseSetCookie", "net/http.NewRequest", "net/http.NewRequestWithContext", "net/http.Header.*",
      "net/http.(*Request).*", "net/http.(*Cookie).*", "net/http.NewServeMux", "net/http.Handle", "net/http.HandleFunc",
      "net/http.(*ServeMux).Handle", "net/http.(*ServeMux).HandleFunc", "net/http.HandlerFunc.ServeHTTP", "net/http.Error", "net/http.NotFound",
      "net/http.(*response).*", "net/http.(*http2responseWriter).*",
      // syscall: error numbers, signals and wait statuses are values.
      "syscall.Errno.*", "syscall.Signal.*", "syscall.WaitStatus.*", "syscall.(*Timespec).*", "syscall.(*Timeval).*", "syscall.BytePtrFromString",
      "syscall.ByteSliceFromString", "syscall.StringBytePtr", "syscall.StringByteSlice",
    ],
    reason: "reads or builds values without acting on the system",
  },
];

/** Methods that a std type has for errors and printing: an itab of error or fmt.Stringer reaches them, and they act on nothing. */
const TEXT_METHODS = new Set(["Error", "String", "GoString", "Unwrap", "Timeout", "Temporary", "Is", "As", "Network", "Format", "MarshalText", "RuntimeError"]);

const CLOSURE_SUFFIX = /(\.(func|gowrap|deferwrap)\d+|-fm)+$/;

interface Lookup {
  exact: Map<string, CapabilityClass>;
  byType: Map<string, CapabilityClass>;
  byPackage: Map<string, CapabilityClass>;
}

let lookup: Lookup | undefined;

function table(): Lookup {
  if (lookup) return lookup;
  const l: Lookup = { exact: new Map(), byType: new Map(), byPackage: new Map() };
  for (const row of STD_CAPABILITIES) {
    for (const f of row.functions ?? []) (f.endsWith(".*") ? l.byType : l.exact).set(f.endsWith(".*") ? f.slice(0, -2) : f, row.class);
    for (const p of row.packages ?? []) l.byPackage.set(p, row.class);
  }
  // The run-time rows win: they are what the tracer enforces.
  for (const row of STD_FUNCTION_CLASSES) for (const f of row.functions) l.exact.set(f.func, row.class);
  return (lookup = l);
}

/**
 * The class of a call to std function `name` of package `pkg` (import path), or undefined when
 * no row names it (read what it calls).
 */
export function stdCapability(name: string, pkg: string): CapabilityClass | undefined {
  const t = table();
  const exact = t.exact.get(name);
  if (exact) return exact;
  // A closure, goroutine or defer wrapper is its enclosing function's; a method value's wrapper its method's.
  const enclosing = CLOSURE_SUFFIX.exec(name);
  if (enclosing && enclosing.index > pkg.length) return stdCapability(name.slice(0, enclosing.index), pkg);
  const local = name.slice(pkg.length + 1);
  // The runtime's unexported functions are what the compiler calls by itself (allocation, write
  // barriers, maps); Go code can name them only through go:linkname, which analyze reports.
  if (pkg === "runtime" && /^[a-z_]/.test(local)) return "SAFE";
  // A package's initialization runs once, before main, on no module's behalf.
  if (/^init(\.\d+)?$/.test(local)) return "SAFE";
  const generic = local.indexOf("[");
  const plain = generic >= 0 ? local.slice(0, generic) : local;
  const lastDot = plain.lastIndexOf(".");
  if (lastDot > 0) {
    const receiver = plain.slice(0, lastDot);
    const method = plain.slice(lastDot + 1);
    if (TEXT_METHODS.has(method) && /^\(\*?[^.]+\)$|^[A-Za-z_]\w*$/.test(receiver)) return "SAFE";
    const byType = t.byType.get(`${pkg}.${receiver}`) ?? t.byType.get(`${pkg}.${receiver.replace(/^\(\*(.*)\)$/, "$1")}`) ?? t.byType.get(`${pkg}.(*${receiver})`);
    if (byType) return byType;
  }
  return t.byPackage.get(pkg);
}
