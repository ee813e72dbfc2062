# Thin wrappers around swift and scripts/. See README.md.
SWIFT ?= swift
TESTFLAGS ?= -c release -Xswiftc -enable-testing

.PHONY: setup build demo test bench fixtures clean
setup:
	./scripts/setup
build: setup
	$(SWIFT) build -c release --product frugal
demo: build
	./scripts/demo
test: setup
	$(SWIFT) test $(TESTFLAGS)
bench: setup
	$(SWIFT) build -c release --product FrugalBench
	.build/release/FrugalBench
fixtures:
	./reference/regenerate
clean:
	rm -rf .build
