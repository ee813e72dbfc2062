// CPUFeatures — which SIMD kernels this CPU runs, decided once at run time. The package is built for
// AVX2 + FMA; kernels compiled for AVX-512 (module FrugalAVX512) are only called where the CPU
// reports AVX-512F. FRUGAL_SIMD=avx2 forces the AVX2 kernels (the tests run both paths).
import Foundation

public enum CPUFeatures {
    /// The CPU (and the OS, which hides the flag when it does not save the registers) supports AVX-512F.
    public static let hasAVX512: Bool = BLASCore.readCPUFlags()?.contains("avx512f") ?? false

    /// Whether kernels with an AVX-512 variant take it. Defaults to `hasAVX512` unless FRUGAL_SIMD=avx2;
    /// setting it to true on a CPU without AVX-512 is refused.
    nonisolated(unsafe) public static var useAVX512: Bool = hasAVX512 && ProcessInfo.processInfo.environment["FRUGAL_SIMD"] != "avx2" {
        didSet { if !hasAVX512 { useAVX512 = false } }
    }
}
