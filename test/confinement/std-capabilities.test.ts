// The class of a call into the standard library: the table's rows, pinned where the original
// gomodjail's v2 pins its own (its classifier test), and the rules beside the rows.
import { describe, expect, test } from "bun:test";
import type { CapabilityClass } from "../../src/policy/classes.ts";
import { stdCapability } from "../../src/confinement/std-capabilities.ts";

const classOf = (name: string, pkg: string) => stdCapability(name, pkg);

describe("the class of a std function", () => {
  test.each([
    ["os.(*File).Write", "os", "SAFE"],
    ["os.Open", "os", "FILES/READ"],
    ["os.OpenFile", "os", "FILES/WRITE"],
    ["os/exec.Command", "os/exec", "EXEC"],
    ["os/exec.(*Cmd).Run", "os/exec", "EXEC"],
    ["net.Dial", "net", "NETWORK"],
    ["os.Setenv", "os", "MODIFY_SYSTEM_STATE"],
    ["os.(*Process).Kill", "os", "OPERATING_SYSTEM"],
    ["syscall.Syscall", "syscall", "SYSTEM_CALLS"],
    ["os.Getenv", "os", "READ_SYSTEM_STATE"],
    ["reflect.Value.Call", "reflect", "REFLECT"],
    ["reflect.TypeOf", "reflect", "SAFE"],
    ["fmt.Println", "fmt", "SAFE"],
  ] as [string, string, CapabilityClass][])("%s is %s's %s, as v2 has it", (name, pkg, cls) => {
    expect(classOf(name, pkg)).toBe(cls);
  });

  test("a closure, a goroutine wrapper and a method value's wrapper have their function's class", () => {
    expect(classOf("os.ReadFile.func1", "os")).toBe("FILES/READ");
    expect(classOf("os/exec.(*Cmd).Start.gowrap1", "os/exec")).toBe("EXEC");
    expect(classOf("os.(*File).Chmod-fm", "os")).toBe("FILES/WRITE");
  });

  test("a std type's error and text methods are SAFE whatever its package's class", () => {
    expect(classOf("net.(*OpError).Error", "net")).toBe("SAFE");
    expect(classOf("os/exec.(*ExitError).String", "os/exec")).toBe("SAFE");
  });

  test("package initialization and the runtime's unexported functions (what the compiler calls) are SAFE", () => {
    expect(classOf("net/http.init", "net/http")).toBe("SAFE");
    expect(classOf("os.init.func1", "os")).toBe("SAFE");
    expect(classOf("runtime.gcWriteBarrier2", "runtime")).toBe("SAFE");
    expect(classOf("runtime.SetFinalizer", "runtime")).toBe("RUNTIME");
  });

  test("a function no row names is read on: its callees decide", () => {
    expect(classOf("bufio.NewReader", "bufio")).toBeUndefined();
    expect(classOf("io.Copy", "io")).toBeUndefined();
  });

  test("the run-time rows win: os/exec.Command's PATH lookup is the command's EXEC", () => {
    expect(classOf("os/exec.Command", "os/exec")).toBe("EXEC");
    expect(classOf("net.readHosts", "net")).toBe("NETWORK");
  });
});
