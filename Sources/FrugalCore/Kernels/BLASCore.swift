// BLASCore — makes sure OpenBLAS runs the kernels this CPU supports.
//
// OpenBLAS picks its kernels once, when the library loads, from the CPU model. A release that does
// not know a newer CPU falls back to "Prescott" (SSE3): on this project's machines (AVX-512 Xeons
// unknown to Debian's OpenBLAS 0.3.21) that made sgemm 5–10× slower. The documented override is the
// OPENBLAS_CORETYPE variable, read at load time; so a program calls `reexecWithBestKernelsIfNeeded()`
// first thing in main: if OpenBLAS chose a generic core, the variable is unset, and the CPU flags show
// a better kernel family (Cooperlake: AVX-512 BF16; SkylakeX: AVX-512; Haswell: AVX2 + FMA), it sets
// the variable and re-executes the same program with the same arguments. FRUGAL_BLAS_REEXEC=0 turns
// this off. Linux only; Accelerate on macOS needs none of it.
import Foundation
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

public enum BLASCore {
    /// The kernel family OpenBLAS is running ("Haswell", "Prescott", …).
    public static var current: String {
        #if os(Linux)
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
        #else
        return "Accelerate"
        #endif
    }

    /// The best OpenBLAS core type the CPU's flags support, or nil (unknown CPU, or not x86-64 Linux).
    public static func bestSupported(cpuFlags: Set<String>? = nil) -> String? {
        guard let flags = cpuFlags ?? readCPUFlags() else { return nil }
        if flags.isSuperset(of: ["avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512_bf16"]) { return "Cooperlake" }
        if flags.isSuperset(of: ["avx512f", "avx512vl", "avx512bw", "avx512dq"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    static let generic: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "banias"]

    /// Re-executes the process with OPENBLAS_CORETYPE set when OpenBLAS fell back to a generic core
    /// on a CPU that supports better kernels. Returns (does nothing) otherwise.
    public static func reexecWithBestKernelsIfNeeded() {
        #if os(Linux)
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["FRUGAL_BLAS_REEXEC"] != "0",
              generic.contains(current.lowercased()), let best = bestSupported() else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cargs.append(nil)
        execv("/proc/self/exe", &cargs)
        // execv only returns on failure: carry on with the generic kernels.
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }

    static func readCPUFlags() -> Set<String>? {
        #if os(Linux) && arch(x86_64)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        #else
        return nil
        #endif
    }
}
