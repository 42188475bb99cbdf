# Velox — the two commands are `make run` and `make test`; both install what is missing first.
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json

.PHONY: all deps system-deps build run test bench clean

all: build

# npm packages, pinned by package-lock.json; reinstalled only when the lock changes.
$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian packages the tests need (Swift for parity tests, clients, filesystems); skipped when present.
system-deps:
	@bash tools/install-system-deps.sh

deps: $(NODE_MODULES)

# The C files (posix_fadvise, which Node lacks; FD_CLOEXEC below), built against the version-independent
# Node-API headers from npm: no node-gyp, no Node source headers needed.
NATIVE := dist/native/page-cache.node
$(NATIVE): appliance/native/page-cache.c $(NODE_MODULES)
	@mkdir -p $(@D)
	cc -O2 -Wall -Wextra -Werror -shared -fPIC -DNODE_GYP_MODULE_NAME=page_cache \
	  -I node_modules/node-api-headers/include -o $@ $<

# The second: FD_CLOEXEC on every descriptor (LevelDB opens its files without it).
CLOEXEC := dist/native/close-on-exec.node
$(CLOEXEC): appliance/native/close-on-exec.c $(NODE_MODULES)
	@mkdir -p $(@D)
	cc -O2 -Wall -Wextra -Werror -shared -fPIC -DNODE_GYP_MODULE_NAME=close_on_exec \
	  -I node_modules/node-api-headers/include -o $@ $<

build: deps $(NATIVE) $(CLOEXEC)
	npx tsc -p tsconfig.json
	npx tsc -p web/tsconfig.json --noEmit
	npx vite build --config web/vite.config.ts --logLevel warn

run: build
	@mkdir -p data
	./tools/velox serve --data ./data --bind 127.0.0.1:8080

# The whole suite; `npx mocha FILE.test.js` runs one file (.mocharc.json names no spec, so a
# file given on the command line is not added to the whole suite).
SPEC := 'dist/appliance/**/*.test.js' 'dist/tools/**/*.test.js'
test: system-deps build
	npx mocha $(SPEC)

bench: build
	./tools/bench

clean:
	rm -rf dist
