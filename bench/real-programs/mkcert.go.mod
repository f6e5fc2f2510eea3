// The policy of bench/real-programs.ts for mkcert (Debian trixie mkcert), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `/usr/lib/gomodjail-programs/mkcert/usr/bin/mkcert -ecdsa -cert-file WORK/cert.pem -key-file WORK/key.pem example.test`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module github.com/FiloSottile/mkcert

go 1.21

require (
	golang.org/x/crypto v0.0.0 // gomodjail:confined
	golang.org/x/net v0.0.0 // gomodjail:confined
	golang.org/x/text v0.0.0 // gomodjail:confined
	software.sslmate.com/src/go-pkcs12 v0.0.0 // gomodjail:confined
)
