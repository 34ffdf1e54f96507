import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Counts heap allocations per SVI step the way the core's tests do
/// (`Tests/GumboTests/Plan/AllocationTests.swift`): a small C library,
/// compiled with the toolchain's `clang` and preloaded (`LD_PRELOAD`) into
/// a child run of this executable, defines `malloc`, `calloc`, `realloc`,
/// `posix_memalign`, `aligned_alloc`, `memalign` and `valloc`, counts the
/// calls made on the armed thread and forwards to glibc. Every Swift heap
/// allocation (objects, arrays, strings, closure contexts, boxes,
/// `UnsafeMutablePointer.allocate`) goes through one of them. The child
/// (`gumbo-bench svi-allocations`) arms the counter around a window of
/// steps after a warm-up and reports the count.
enum AllocationCounter {
    /// The allocator's source: the calling-thread part of the core's test shim
    /// (the tests' copy also counts named worker threads; these rows run on one).
    static let source = """
        #include <stddef.h>
        #include <errno.h>
        extern void *__libc_malloc(size_t);
        extern void *__libc_calloc(size_t, size_t);
        extern void *__libc_realloc(void *, size_t);
        extern void *__libc_memalign(size_t, size_t);
        static __thread int armed;
        static __thread long count;
        void gumbo_allocation_probe_arm(void) { count = 0; armed = 1; }
        long gumbo_allocation_probe_disarm(void) { armed = 0; return count; }
        #define COUNT() do { if (armed) count++; } while (0)
        void *malloc(size_t n) { COUNT(); return __libc_malloc(n); }
        void *calloc(size_t k, size_t n) { COUNT(); return __libc_calloc(k, n); }
        void *realloc(void *p, size_t n) { COUNT(); return __libc_realloc(p, n); }
        void *memalign(size_t a, size_t n) { COUNT(); return __libc_memalign(a, n); }
        void *aligned_alloc(size_t a, size_t n) { COUNT(); return __libc_memalign(a, n); }
        void *valloc(size_t n) { COUNT(); return __libc_memalign(4096, n); }
        int posix_memalign(void **out, size_t a, size_t n) {
            COUNT();
            void *p = __libc_memalign(a, n);
            if (!p) return ENOMEM;
            *out = p;
            return 0;
        }
        """

    static var compiler: String? {
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .flatMap { ["\($0)/clang", "\($0)/cc"] }
        let candidates = ["/opt/swift/usr/bin/clang", "/usr/bin/clang", "/usr/bin/cc", "/usr/bin/gcc"]
        return (onPath + candidates).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `arguments` as a child of this executable with the counting
    /// allocator preloaded, and returns its standard output; `nil` when no
    /// C compiler is available or the child fails.
    static func runChild(_ arguments: [String]) -> String? {
        guard let compiler else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gumbo-bench-allocations-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let sourceFile = directory.appendingPathComponent("count.c")
            let library = directory.appendingPathComponent("libcount.so")
            try source.write(to: sourceFile, atomically: true, encoding: .utf8)
            guard try run(compiler, ["-shared", "-fPIC", "-O2", "-ftls-model=initial-exec", "-o", library.path, sourceFile.path],
                          environment: [:]).status == 0 else { return nil }
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let child = try run(executable, arguments, environment: ["LD_PRELOAD": library.path])
            return child.status == 0 ? child.output : nil
        } catch {
            return nil
        }
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// In the child: the preloaded allocator's arm and disarm functions.
    static func probe() -> (arm: () -> Void, disarm: () -> Int)? {
        guard let armSymbol = dlsym(nil, "gumbo_allocation_probe_arm"),
              let disarmSymbol = dlsym(nil, "gumbo_allocation_probe_disarm") else { return nil }
        typealias Arm = @convention(c) () -> Void
        typealias Disarm = @convention(c) () -> Int
        let arm = unsafeBitCast(armSymbol, to: Arm.self)
        let disarm = unsafeBitCast(disarmSymbol, to: Disarm.self)
        return ({ arm() }, { disarm() })
    }
}
