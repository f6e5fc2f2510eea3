// Installs the seccomp filter it reads from stdin (struct sock_filter[], built for its pid) on
// all its threads, with no tracer, then prints as JSON the errno each probe got (0: success).
// Without a tracer a traced syscall fails with ENOSYS, so ENOSYS means "the filter would stop
// here" and anything else means "the filter let the kernel answer".
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

const (
	_TCGETS     = 0x5401
	_TIOCSTI    = 0x5412
	_F_SETOWN   = 8
	_X32_GETPID = 0x40000000 | 39
)

func errno(_, _ uintptr, e syscall.Errno) int { return int(e) }

func install(filter []byte) error {
	if len(filter) == 0 || len(filter)%8 != 0 {
		return fmt.Errorf("filter of %d bytes", len(filter))
	}
	prog := syscall.SockFprog{Len: uint16(len(filter) / 8), Filter: (*syscall.SockFilter)(unsafe.Pointer(&filter[0]))}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0); e != 0 {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %v", e)
	}
	// SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_TSYNC: every thread of the runtime.
	if _, _, e := syscall.RawSyscall(sysSeccomp, 1, 1, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %v", e)
	}
	return nil
}

func main() {
	filter, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = install(filter)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}

	r := map[string]int{}
	pid, tid := uintptr(syscall.Getpid()), uintptr(syscall.Gettid())

	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		panic(err)
	}
	pr := uintptr(p[0])

	r["getpid"] = errno(syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0))
	path, _ := syscall.BytePtrFromString("/")
	r["openat"] = errno(syscall.RawSyscall6(syscall.SYS_OPENAT, ^uintptr(99) /* AT_FDCWD */, uintptr(unsafe.Pointer(path)), 0, 0, 0, 0))
	if f, err := os.Open("/"); err == nil {
		f.Close()
		r["os.Open"] = 0
	} else if e, ok := err.(*os.PathError).Err.(syscall.Errno); ok {
		r["os.Open"] = int(e)
	}

	var termios [64]byte
	r["ioctl TCGETS"] = errno(syscall.RawSyscall(syscall.SYS_IOCTL, pr, _TCGETS, uintptr(unsafe.Pointer(&termios))))
	c := byte('x')
	r["ioctl TIOCSTI"] = errno(syscall.RawSyscall(syscall.SYS_IOCTL, pr, _TIOCSTI, uintptr(unsafe.Pointer(&c))))

	r["tgkill own"] = errno(syscall.RawSyscall(syscall.SYS_TGKILL, pid, tid, 0))
	r["tgkill other"] = errno(syscall.RawSyscall(syscall.SYS_TGKILL, 1, 1, 0))
	r["kill own"] = errno(syscall.RawSyscall(syscall.SYS_KILL, pid, 0, 0))
	r["kill other"] = errno(syscall.RawSyscall(syscall.SYS_KILL, 1, 0, 0))
	r["kill group"] = errno(syscall.RawSyscall(syscall.SYS_KILL, 0, 0, 0))

	r["fcntl F_GETFL"] = errno(syscall.RawSyscall(syscall.SYS_FCNTL, pr, syscall.F_GETFL, 0))
	r["fcntl F_SETOWN"] = errno(syscall.RawSyscall(syscall.SYS_FCNTL, pr, _F_SETOWN, pid))

	var lim [2]uint64
	r["prlimit64 self"] = errno(syscall.RawSyscall6(syscall.SYS_PRLIMIT64, 0, syscall.RLIMIT_NOFILE, 0, uintptr(unsafe.Pointer(&lim)), 0, 0))
	r["prlimit64 other"] = errno(syscall.RawSyscall6(syscall.SYS_PRLIMIT64, 1, syscall.RLIMIT_NOFILE, 0, uintptr(unsafe.Pointer(&lim)), 0, 0))

	var sv [2]int32
	r["socketpair unix"] = errno(syscall.RawSyscall6(syscall.SYS_SOCKETPAIR, syscall.AF_UNIX, syscall.SOCK_DGRAM, 0, uintptr(unsafe.Pointer(&sv)), 0, 0))
	r["socket inet"] = errno(syscall.RawSyscall(syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM, 0))
	msg := []byte("hi")
	r["sendto no address"] = errno(syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(sv[0]), uintptr(unsafe.Pointer(&msg[0])), 2, 0, 0, 0))
	var sa [110]byte
	sa[0] = syscall.AF_UNIX
	r["sendto address"] = errno(syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(sv[0]), uintptr(unsafe.Pointer(&msg[0])), 2, 0, uintptr(unsafe.Pointer(&sa)), 110))

	// Data memory is mapped and protected without a stop; executable memory is traced.
	mmap := func(prot uintptr) int {
		return errno(syscall.RawSyscall6(syscall.SYS_MMAP, 0, 4096, prot, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS, ^uintptr(0), 0))
	}
	r["mmap read-write"] = mmap(syscall.PROT_READ | syscall.PROT_WRITE)
	r["mmap exec"] = mmap(syscall.PROT_READ | syscall.PROT_EXEC)
	page, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		panic(err)
	}
	mprotect := func(prot uintptr) int {
		return errno(syscall.RawSyscall(syscall.SYS_MPROTECT, uintptr(unsafe.Pointer(&page[0])), 4096, prot))
	}
	r["mprotect read"] = mprotect(syscall.PROT_READ)
	r["mprotect exec"] = mprotect(syscall.PROT_READ | syscall.PROT_EXEC)

	// A fork must be traced: clone without CLONE_THREAD. Should it ever run, the child leaves at once.
	if r1, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0); e == 0 && r1 == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	} else {
		r["clone fork"] = int(e)
	}
	var args [88]byte
	// Size 0 is invalid, so a clone3 that reached the kernel fails with EINVAL instead of forking.
	r["clone3"] = errno(syscall.RawSyscall(sysClone3, uintptr(unsafe.Pointer(&args)), 0, 0))
	r["seccomp"] = errno(syscall.RawSyscall(sysSeccomp, 2 /* GET_ACTION_AVAIL */, 0, 0))
	if runtime.GOARCH == "amd64" {
		r["x32 getpid"] = errno(syscall.RawSyscall(_X32_GETPID, 0, 0, 0))
	}

	// Threads: each locked goroutine forces the runtime to clone a new thread.
	var wg sync.WaitGroup
	var threads sync.Map
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			threads.Store(syscall.Gettid(), true)
			var x uint64
			for j := 0; j < 10_000_000; j++ {
				x += uint64(j)
			}
			_ = x
		}()
	}
	wg.Wait()
	n := 0
	threads.Range(func(_, _ any) bool { n++; return true })
	r["threads"] = n

	json.NewEncoder(os.Stdout).Encode(r)
}
