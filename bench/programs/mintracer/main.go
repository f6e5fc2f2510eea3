// The floor under any ptrace+seccomp jail on this machine: a minimal tracer, measured in the
// bench's own run (bench/run.ts and bench/real-programs.ts print its figures).
//
// It runs itself as a traced child that installs a seccomp filter returning SECCOMP_RET_TRACE for
// getppid only, then calls getppid N times on its main thread and reports how long the loop took.
// The tracer does the least a jail can do at each stop: wait for it and PTRACE_CONT (mode
// "stop"), or also read the registers and 4 KiB of the stack with process_vm_readv, the smallest
// look at the caller a jail needs (mode "regs"). The same loop with no filter gives the native
// time; the cost of a stop is (traced - native) / N.
//
//	mintracer [-n=N] [-rounds=R]    prints: stop_ns=X regs_ns=Y native_ns=Z (medians of R
//	                                interleaved rounds)
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

const (
	ptraceOTraceSeccomp = 0x80
	ptraceOExitKill     = 0x100000
	ptraceEventSeccomp  = 7

	seccompModeFilter = 2
	prSetNoNewPrivs   = 38
	retTrace          = 0x7ff00000
	retAllow          = 0x7fff0000
	retKill           = 0x80000000

	// BPF opcodes.
	ldAbsW = 0x20 // BPF_LD | BPF_W | BPF_ABS
	jeqK   = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	retK   = 0x06 // BPF_RET | BPF_K
)

type sockFilter struct {
	code uint16
	jt   uint8
	jf   uint8
	k    uint32
}

// An iovec whose base is an address in another process.
type remoteIovec struct {
	base uint64
	len  uint64
}

type sockFprog struct {
	len    uint16
	filter *sockFilter
}

func auditArch() uint32 {
	switch runtime.GOARCH {
	case "amd64":
		return 0xc000003e
	case "arm64":
		return 0xc00000b7
	}
	panic("mintracer: amd64 or arm64 only")
}

func processVMReadvNr() uintptr {
	if runtime.GOARCH == "arm64" {
		return 270
	}
	return 310
}

// child: install the filter (if asked) on this thread, then loop.
func child(n int, filter bool) {
	runtime.LockOSThread()
	if filter {
		prog := []sockFilter{
			{ldAbsW, 0, 0, 4}, // seccomp_data.arch
			{jeqK, 1, 0, auditArch()},
			{retK, 0, 0, retKill},
			{ldAbsW, 0, 0, 0}, // seccomp_data.nr
			{jeqK, 0, 1, uint32(syscall.SYS_GETPPID)},
			{retK, 0, 0, retTrace},
			{retK, 0, 0, retAllow},
		}
		fprog := sockFprog{len: uint16(len(prog)), filter: &prog[0]}
		if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); e != 0 {
			fmt.Fprintln(os.Stderr, "no_new_privs:", e)
			os.Exit(1)
		}
		// prctl(PR_SET_SECCOMP): this thread only; the loop stays on it.
		if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_SECCOMP, seccompModeFilter, uintptr(unsafe.Pointer(&fprog))); e != 0 {
			fmt.Fprintln(os.Stderr, "seccomp:", e)
			os.Exit(1)
		}
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
	}
	fmt.Printf("ns=%d\n", time.Since(start).Nanoseconds())
}

// run: one child, traced (regs or not) or native, and its loop time in ns.
func run(n int, mode string) int64 {
	runtime.LockOSThread() // every ptrace request must come from the thread that attached
	defer runtime.UnlockOSThread()
	r, w, err := os.Pipe()
	if err != nil {
		fail(err)
	}
	cmd := exec.Command("/proc/self/exe", "-child", "-n="+strconv.Itoa(n), "-filter="+strconv.FormatBool(mode != "native"))
	cmd.Stdout = w // a file: no copying goroutine, so the tracer may reap the child itself
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: mode != "native"}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	w.Close()
	if mode == "native" {
		if err := cmd.Wait(); err != nil {
			fail(fmt.Errorf("child: %v", err))
		}
	} else {
		trace(cmd.Process.Pid, mode == "regs")
	}
	out, _ := io.ReadAll(r)
	r.Close()
	ns, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(string(out)), "ns="), 10, 64)
	if err != nil {
		fail(fmt.Errorf("child printed %q", out))
	}
	return ns
}

// trace: from the exec stop to the child's exit (which it reaps), continue every stop; at each
// seccomp stop optionally read the registers and 4 KiB at the stack pointer.
func trace(pid int, regs bool) {
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil || !ws.Stopped() {
		fail(fmt.Errorf("no exec stop: %v %v", err, ws))
	}
	// Threads the child starts are not traced: the loop runs on its main thread.
	if err := syscall.PtraceSetOptions(pid, ptraceOTraceSeccomp|ptraceOExitKill); err != nil {
		fail(err)
	}
	buf := make([]byte, 4096)
	var rg syscall.PtraceRegs
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil {
			fail(err)
		}
		if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil {
			fail(err)
		}
		if ws.Exited() || ws.Signaled() {
			if ws.ExitStatus() != 0 || ws.Signaled() {
				fail(fmt.Errorf("child: %v", ws))
			}
			return
		}
		sig = 0
		if ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() == ptraceEventSeccomp {
			if regs {
				if err := syscall.PtraceGetRegs(pid, &rg); err != nil {
					fail(err)
				}
				local := syscall.Iovec{Base: &buf[0], Len: uint64(len(buf))}
				remote := remoteIovec{base: stackPointer(&rg), len: uint64(len(buf))} // an address in the child
				if _, _, e := syscall.Syscall6(processVMReadvNr(), uintptr(pid), uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0); e != 0 {
					fail(fmt.Errorf("process_vm_readv: %v", e))
				}
			}
		} else {
			sig = int(ws.StopSignal())
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mintracer:", err)
	os.Exit(1)
}

func median(xs []int64) int64 {
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs[len(xs)/2]
}

func main() {
	isChild := flag.Bool("child", false, "")
	filter := flag.Bool("filter", false, "")
	n := flag.Int("n", 5000, "getppid calls per run")
	rounds := flag.Int("rounds", 9, "runs of each mode (medians)")
	flag.Parse()
	if *isChild {
		child(*n, *filter)
		return
	}
	times := map[string][]int64{}
	for i := 0; i < *rounds; i++ {
		for _, mode := range []string{"native", "stop", "regs"} {
			times[mode] = append(times[mode], run(*n, mode))
		}
	}
	native := median(times["native"])
	per := func(mode string) int64 { return (median(times[mode]) - native) / int64(*n) }
	fmt.Printf("stop_ns=%d regs_ns=%d native_ns=%d\n", per("stop"), per("regs"), native/int64(*n))
}
