# Thin wrappers around swift and scripts/. See README.md.
SWIFT ?= swift
TESTFLAGS ?= -c release -Xswiftc -enable-testing

.PHONY: setup build install demo test bench fixtures clean
setup:
	./scripts/setup
build: setup
	$(SWIFT) build -c release --product frugal
# make install [PREFIX=/usr/local]: the release `frugal` into $(PREFIX)/bin (needs the build's libraries: OpenBLAS, oneDNN).
PREFIX ?= /usr/local
install:
	$(SWIFT) build -c release --product frugal
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 .build/release/frugal "$(DESTDIR)$(PREFIX)/bin/frugal"
demo: build
	./scripts/demo
test: setup
	$(SWIFT) test $(TESTFLAGS)
PYTHON ?= python3
bench: setup
	$(SWIFT) build -c release --product FrugalBench
	.build/release/FrugalBench
	@if $(PYTHON) -c "import torch, transformers" 2>/dev/null; then \
	  echo; echo "## the same block in PyTorch ($(PYTHON))"; $(PYTHON) Benchmarks/torch_block.py; \
	  echo; $(PYTHON) Benchmarks/compare_finetune.py lockstep 8; \
	  echo; $(PYTHON) Benchmarks/compare_inference.py 2; \
	else echo; echo "(side-by-side runs skipped: set PYTHON to a python with reference/requirements.txt installed, e.g. make bench PYTHON=/path/to/venv/bin/python)"; fi
fixtures:
	./reference/regenerate
clean:
	rm -rf .build
