// The RoPE table of one layer of a ModelConfig: the layer's base (Gemma 3's sliding layers have
// their own) and, on full-attention layers, Llama 3.1's "llama3" frequency scaling, computed in
// Float32 as transformers' `_compute_llama3_parameters` does:
//   wavelength λᵢ = 2π / θᵢ; λ_low = L₀ / low_freq_factor, λ_high = L₀ / high_freq_factor
//   θᵢ' = θᵢ / factor                       where λᵢ > λ_low   (low frequencies)
//   θᵢ' = θᵢ                                where λᵢ < λ_high  (high frequencies)
//   θᵢ' = (1 − s)·θᵢ/factor + s·θᵢ,  s = (L₀/λᵢ − low) / (high − low)   in between
// with L₀ = original_max_position_embeddings. A GGUF file carries the same scaling as divisors of
// the frequencies (llama.cpp's rope_freqs tensor: θᵢ' = θᵢ / factorᵢ), used as llama.cpp uses them.
import Foundation
import FrugalCore
import FrugalSpec

extension RoPETable {
    public init(config: ModelConfig, layer: Int) {
        let base = Float(config.ropeTheta(layer: layer))
        if let factors = config.ropeFrequencyFactors, config.attention(layer: layer) == .full,
           factors.count == config.headDim / 2 {
            let plain = Self.inverseFrequencies(headDim: config.headDim, base: base)
            self.init(headDim: config.headDim, base: base, invFreq: zip(plain, factors).map { $0 / $1 })
            return
        }
        guard let s = config.ropeScaling, config.attention(layer: layer) == .full else {
            self.init(headDim: config.headDim, base: base)
            return
        }
        self.init(headDim: config.headDim, base: base,
                  invFreq: Self.llama3Frequencies(Self.inverseFrequencies(headDim: config.headDim, base: base), s))
    }

    static func llama3Frequencies(_ invFreq: [Float], _ s: ModelConfig.RoPEScaling) -> [Float] {
        let factor = Float(s.factor), low = Float(s.lowFreqFactor), high = Float(s.highFreqFactor)
        let old = Float(s.originalMaxPositions)
        let lowWavelength = old / low, highWavelength = old / high
        return invFreq.map { f in
            let wavelength = 2 * Float.pi / f
            if wavelength > lowWavelength { return f / factor }
            if wavelength < highWavelength { return f }
            let smooth = (old / wavelength - low) / (high - low)
            return (1 - smooth) * f / factor + smooth * f
        }
    }
}
