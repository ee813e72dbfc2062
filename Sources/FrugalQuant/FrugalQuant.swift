// FrugalQuant — number formats and quantization on plain Swift buffers ([Float], [UInt8],
// UnsafeBufferPointer): 16-bit floats (fp16, bf16), absmax int8, bitsandbytes' 8-bit dynamic map and
// blockwise quantization, NF4/FP4 blockwise 4-bit with double quantization, and fast dequantization.
//
// Leaves out: tensors and autograd (FrugalCore), checkpoint files (FrugalIO reads and writes the
// bitsandbytes keys from the public state exposed here: packed bytes, absmax, quant maps, the
// quant_state JSON). Follows bitsandbytes 0.50 (functional.py, backends/default/ops.py,
// backends/cpu/ops.py, csrc/cpu_ops.cpp) and PyTorch c10 (BFloat16.h, Half.h). See docs/quantization.md.

