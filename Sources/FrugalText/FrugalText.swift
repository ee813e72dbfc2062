// FrugalText — text in and out of the models: byte-level BPE (`BPETokenizer`, built from a
// tokenizer.json or GGUF arrays; `StreamingDecoder` for token-by-token output), Jinja chat
// templates (`ChatTemplate`, run by a jinja2-compatible interpreter), and fine-tuning data
// (`JSONLDatasetReader`, `DatasetFolder`, `ExampleEncoder` → `TokenizedDataset` → `Batcher` → `TokenBatch`). Imports only Foundation.
// See docs/tokenizer.md.

