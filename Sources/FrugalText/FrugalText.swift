// FrugalText — text in and out of the models: byte-level BPE (`BPETokenizer`, built from a
// tokenizer.json or GGUF arrays; `StreamingDecoder` for token-by-token output), ChatML-style chat
// templates (`ChatTemplate`), and fine-tuning data (`JSONLDatasetReader`, `DatasetFolder`,
// `ExampleEncoder` → `TokenizedDataset` → `Batcher` → `TokenBatch`). Imports only Foundation.
// See docs/tokenizer.md.

