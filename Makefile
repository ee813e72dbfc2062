# Thin wrappers around swift and scripts/. See README.md.
SWIFT ?= swift
TESTFLAGS ?= -c release -Xswiftc -enable-testing

.PHONY: setup build install demo test bench fixtures clean fuzz crash-safety
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
# make fuzz [FUZZ_SECONDS=30]: every libFuzzer target (Fuzz/FrugalFuzz) with AddressSanitizer, FUZZ_SECONDS each.
FUZZ_SECONDS ?= 30
fuzz:
	./scripts/fuzz $(FUZZ_SECONDS)
# make crash-safety: kill -9 a short fine-tune at several moments, resume, compare with an uninterrupted run.
crash-safety: setup
	./scripts/crash-safety
fixtures:
	./reference/regenerate
clean:
	rm -rf .build
