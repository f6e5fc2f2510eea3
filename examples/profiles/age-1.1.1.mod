// gomodjail profile for age 1.1.1, the file encryption tool, as Debian 12 ships it (package
// age: /usr/bin/age and /usr/bin/age-keygen, both of this main module). Debian builds it without
// module information, so gomodjail attributes its functions through the module list below;
// versions are those of the Debian source packages it was built from (Built-Using).
//
//   gomodjail run --go-mod=examples/profiles/age-1.1.1.mod -- age -d -i key.txt secret.age
//
// Made with `gomodjail run --audit` on: age-keygen (-o, -y), encrypting to age and SSH
// recipients (-r, -R, -a) and decrypting with age and SSH identities (-d -i), from files and
// pipes, and a passphrase (-p) typed on a terminal. Modules not listed are confined.

// gomodjail:confined
module filippo.io/age

go 1.19

require (
	// Curve arithmetic for X25519 and Ed25519 keys: pure computation.
	filippo.io/edwards25519 v1.0.0 // gomodjail:confined

	// ChaCha20-Poly1305, HKDF, scrypt, and parsing SSH keys (x/crypto/ssh): pure computation
	// on bytes the main module reads and writes. Confined, a poisoned copy cannot open
	// files, connect or run programs.
	golang.org/x/crypto v0.4.0 // gomodjail:confined

	// Passphrase prompts turn terminal echo off and on again (term.ReadPassword): a write
	// ioctl (TCSETS) made by x/sys under x/term. Confined, -p and passphrase-protected
	// identities fail: "could not read passphrase: operation not permitted".
	golang.org/x/term v0.3.0 // gomodjail:unconfined
	golang.org/x/sys v0.3.0 // gomodjail:unconfined
)
