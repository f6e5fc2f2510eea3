// What `gomodjail analyze` reads in a function's machine code: transfers to fixed addresses,
// syscall instructions, and addresses the code loads. Each architecture decodes its own
// instructions (src/arch/<arch>/decode.ts, Arch.scanCode).

export type CodeRef =
  /** A direct call (amd64 CALL rel32, arm64 BL) or jump (JMP/Jcc rel32, B) to `target`. */
  | { kind: "call" | "jump"; pc: number; target: number }
  /** An instruction that enters the kernel (amd64 SYSCALL, SYSENTER, INT 0x80; arm64 SVC). */
  | { kind: "syscall"; pc: number }
  /** An address the code computes or loads as a constant (RIP-relative operand, immediate, ADRP+ADD). */
  | { kind: "address"; pc: number; target: number };
