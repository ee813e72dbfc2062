// FrugalCore — Tensor, storage and memory accounting, autograd, ops, kernels, thread pool, RNG.
public enum FrugalCore {}
