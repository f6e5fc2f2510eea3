# gomodjail: `make` builds the single-file binary, `make install` installs it.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
BUN ?= node_modules/.bin/bun
# The newest Go toolchain installed from Debian's packages (scripts/install-go.sh).
GO ?= $(firstword $(lastword $(sort $(wildcard /usr/lib/go-1.2[0-9]/bin/go))) $(wildcard /usr/lib/go-1.19/bin/go) go)

BINARY := _output/bin/gomodjail
SOURCES := $(shell find src -name '*.ts') package.json

.PHONY: all install uninstall npm test test-arm64 demo bench bench-real bootstrap clean

all: $(BINARY)

# Without autoloading: a .env in the working directory would reach the jailed program's
# environment, and a bunfig.toml there would configure the jailer. The JIT held back from the
# first instruction: START_UP_JIT_POLICY in src/jit-policy.ts (src/pack/base.ts builds alike).
# Split into chunks (ESM is what Bun splits): a module reached only by a dynamic import() is
# loaded only when imported, so `--version` and a run's first moments do not load the whole CLI
# (docs/startup.md). Minified: a third less code to load, and a run starts 2-3 ms sooner (no
# source map: --compile writes it beside the binary, one file per chunk, which install leaves
# behind). COMPILE_TARGET: scripts/build-npm.ts cross-builds with --target and
# --compile-executable-path.
COMPILE_TARGET ?=
$(BINARY): $(SOURCES) | $(BUN)
	$(BUN) build --compile --bytecode --minify --format=esm --splitting --compile-jit-policy=100 --no-compile-autoload-dotenv --no-compile-autoload-bunfig $(COMPILE_TARGET) src/main.ts src/session/worker.ts --outfile $@

$(BUN):
	./scripts/bootstrap.sh

bootstrap:
	./scripts/bootstrap.sh

install: $(BINARY)
	install -D -m 0755 $(BINARY) $(DESTDIR)$(BINDIR)/gomodjail

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gomodjail

# The npm packages, into _output/npm with their tarballs: gomodjail and a platform package per
# architecture holding the binary (scripts/build-npm.ts; README's Install says how to publish).
npm: | $(BUN)
	$(BUN) scripts/build-npm.ts --pack

test: bootstrap
	./scripts/test.sh

# The tracer's end-to-end tests on linux/arm64: builds a VM from Debian's packages and npm
# (scripts/arm64-vm/build.sh) and runs them in it under qemu-system-aarch64.
test-arm64: bootstrap
	scripts/arm64-vm/run.sh

# Builds the victim example and runs it under gomodjail with no terminal: the sum prints and
# the poisoned module's attempt to run a shell is blocked.
demo: bootstrap $(BINARY)
	cd examples/victim && GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 $(GO) build -o ../../_output/victim .
	./$(BINARY) run --go-mod=examples/victim/go.mod -- ./_output/victim </dev/null

bench: bootstrap $(BINARY)
	$(BUN) run bench/run.ts

# Third-party Go programs natively, under gomodjail and under the original (bench/README.md).
# Not in CI. Installs the programs and builds the original first (root); where the original
# cannot be built, the bench leaves its column empty and says why.
bench-real: bootstrap $(BINARY)
	./scripts/install-bench-programs.sh
	-./scripts/build-original.sh
	$(BUN) run bench/real-programs.ts

clean:
	rm -rf _output
