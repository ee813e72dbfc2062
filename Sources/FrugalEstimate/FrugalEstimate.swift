// FrugalEstimate — what a model costs, as pure arithmetic on ModelConfig: parameters by component
// (Params*), memory for inference and training (Memory*), FLOPs (Flops*), scaling laws, their fits
// and plots (Scaling*, Fit*, Plot/). Never touches a tensor. See docs/estimate.md, docs/scaling.md.
