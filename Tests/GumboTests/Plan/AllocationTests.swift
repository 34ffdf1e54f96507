import Foundation
import Glibc
import Testing
import Gumbo

/// The forward and backward passes of a compiled plan allocate nothing after
/// a warm-up run. Two independent measurements, because neither alone is
/// complete on Linux:
///
/// 1. **Allocation calls, counted exactly** (`allocationCallsAreZero`). A
///    small C library (below) is compiled with the toolchain's `clang` and
///    preloaded (`LD_PRELOAD`) into a second run of this test binary. It
///    defines `malloc`, `calloc`, `realloc`, `posix_memalign`,
///    `aligned_alloc`, `memalign` and `valloc`, counts calls made on the
///    armed thread (a thread-local counter, so Swift Testing's other threads
///    do not count), and forwards to glibc's exported `__libc_*` functions.
///    Every heap allocation in the process goes through these — Swift
///    objects (`swift_allocObject` → `swift_slowAlloc` → `malloc`), arrays,
///    strings, closure contexts, existential boxes, and raw
///    `UnsafeMutablePointer.allocate` — including ones freed again before the
///    call returns. The child (`allocationProbeChild`, a no-op in a normal
///    run) arms the counter around many passes and reports the count; a
///    positive control checks that one array allocation is seen.
///    Limits: needs a C compiler (the Swift toolchain ships `clang`; the test
///    is disabled without one), and does not see memory obtained by `mmap`
///    or `brk` directly, which nothing in Swift's allocation path does.
///
///    The obvious in-process alternative, replacing the Swift runtime's
///    `_swift_allocObject` hook, crashes the Swift 6.3 Linux runtime (once
///    the hook is installed, `_swift_retain_adapterImpl` masks small-string
///    payloads into bad pointers; fixed upstream, swiftlang/swift#88924).
///    glibc ≥ 2.34 no longer has `__malloc_hook`.
///
/// 2. **Heap in use** (in the same child, or in process, `heapDoesNotGrow`,
///    where there is no compiler): glibc's `mallinfo2()`
///    summed over `uordblks` (bytes in use in all arenas) and `hblkhd`
///    (bytes in mmapped blocks), before and after a window of passes. It catches
///    any allocation that is kept, and runs without a compiler. Limits: it is
///    a level, not a count, so an allocation freed within the same pass is
///    invisible (glibc's per-thread cache even keeps the chunk "in use"), and
///    it sums all threads, so Swift Testing's own allocations on other
///    threads add noise. The measurement therefore uses short windows (one
///    plan, 20 passes) and repeats them: memory a plan kept would show in
///    every window, while other threads' allocations show only in some, so
///    each plan must have one window with exactly zero growth.
@Suite("Plan allocations")
struct AllocationTests {
    // MARK: Workloads

    /// Plans whose passes are measured: the W3 mixture log-likelihood, W5's
    /// one-hot codes through a matrix product (the sparse kernel's index
    /// scratch), and random graphs that mix every operation.
    static func workloads() throws -> [Plan] {
        var plans = [try MixtureFixture(points: 300).plan, try SparseMatMulTests.decoderPlan()]
        for seed in 0..<UInt64(40) {
            var generator = RandomGraphGenerator(seed: 10_000 + seed)
            plans.append(try generator.makePlan())
        }
        return plans
    }

    static func run(_ plans: [Plan], passes: Int) {
        for plan in plans {
            for _ in 0..<passes {
                plan.forward()
                plan.backward()
            }
        }
    }

    // MARK: 1. Allocation calls, counted exactly

    static var compiler: String? {
        let candidates = ["/opt/swift/usr/bin/clang", "/usr/bin/clang", "/usr/bin/cc", "/usr/bin/gcc"]
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .flatMap { ["\($0)/clang", "\($0)/cc"] }
        return (onPath + candidates).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Builds the counting allocator, reruns this test binary with it
    /// preloaded on the tests `filter` selects (a child that finds the
    /// environment variable `reportVariable` writes one `name count` pair
    /// per line to the file it names), and returns the pairs; nil, after a
    /// failed expectation, when the allocator cannot be built.
    static func countInChild(filter: String, reportVariable: String, separator: Character) throws -> [String: Int]? {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gumbo-\(filter)-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("count.c")
        let library = directory.appendingPathComponent("libcount.so")
        let report = directory.appendingPathComponent("report.txt")
        try countingAllocator.write(to: source, atomically: true, encoding: .utf8)
        let build = try runProcess(compiler!, ["-shared", "-fPIC", "-O2", "-ftls-model=initial-exec",
                                               "-o", library.path, source.path], environment: [:])
        #expect(build == 0, "compiling the counting allocator failed")
        guard build == 0 else { return nil }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let status = try runProcess(executable, ["--testing-library", "swift-testing", "--filter", filter],
                                    environment: ["LD_PRELOAD": library.path, reportVariable: report.path])
        #expect(status == 0, "the child test run failed")
        var counts: [String: Int] = [:]
        for line in try String(contentsOf: report, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: separator)
            counts[String(parts[0])] = Int(parts[1])
        }
        return counts
    }

    @Test("forward and backward make no allocation calls after warm-up (counted via LD_PRELOAD)",
          .enabled(if: compiler != nil, "needs a C compiler to build the counting malloc shim"))
    func allocationCallsAreZero() throws {
        guard let counts = try Self.countInChild(filter: "allocationProbeChild", reportVariable: "GUMBO_ALLOCATION_PROBE_REPORT",
                                                 separator: " ") else { return }
        // The counter works: one array allocation is seen.
        #expect((counts["control"] ?? 0) >= 1, "positive control: \(counts)")
        #expect(counts["passes"] == 0, "allocation calls during forward and backward passes: \(counts)")
        if Self.hasMallinfo2 {
            #expect(counts["heap"] == 0, "plans whose passes grew the heap in every window, in the child: \(counts)")
        }
    }

    /// Runs only as the child of ``allocationCallsAreZero()``; a no-op otherwise.
    @Test("allocation probe (child process; does nothing in a normal run)")
    func allocationProbeChild() throws {
        guard let reportPath = ProcessInfo.processInfo.environment["GUMBO_ALLOCATION_PROBE_REPORT"],
              let armSymbol = dlsym(nil, "gumbo_allocation_probe_arm"),
              let disarmSymbol = dlsym(nil, "gumbo_allocation_probe_disarm")
        else { return }
        typealias Arm = @convention(c) () -> Void
        typealias Disarm = @convention(c) () -> Int
        let arm = unsafeBitCast(armSymbol, to: Arm.self)
        let disarm = unsafeBitCast(disarmSymbol, to: Disarm.self)

        let plans = try Self.workloads()
        Self.run(plans, passes: 2)   // warm-up

        arm()
        let array = Array(repeating: getpid(), count: 16)
        let control = disarm()
        // Only the passes are inside the armed region: in a debug build even
        // `for plan in plans` allocates (an iterator box per iteration), which
        // would be the test's allocation, not the plan's.
        var passes = 0
        for k in plans.indices {
            let plan = plans[k]
            arm()
            for _ in 0..<50 {
                plan.forward()
                plan.backward()
            }
            passes += disarm()
        }
        // The heap level too, here where no other test runs: plans with no
        // window of passes that leaves it unchanged.
        let growing = Self.hasMallinfo2 ? plans.filter { !Self.hasQuietWindow($0, seconds: 5) }.count : -1
        let text = "control \(control)\npasses \(passes)\nsink \(array.count)\nheap \(growing)\n"
        try text.write(toFile: reportPath, atomically: true, encoding: .utf8)
    }

    // MARK: 2. Heap in use, in process

    /// The in-process version, for a machine without a C compiler (with one,
    /// the child of ``allocationCallsAreZero()`` measures the same where no
    /// other test allocates).
    @Test("the heap in use does not grow over many passes (mallinfo2)",
          .enabled(if: hasMallinfo2 && compiler == nil, "needs glibc's mallinfo2 and the x86-64 calling convention; with a C compiler the child process measures it"))
    func heapDoesNotGrow() throws {
        let plans = try Array(Self.workloads().prefix(12))
        Self.run(plans, passes: 2)   // warm-up
        for k in plans.indices {
            // Under load, other tests' allocations can fill every window for a while.
            #expect(Self.hasQuietWindow(plans[k], seconds: 10), "plan \(k): no window without heap growth")
        }
    }

    /// Whether some window of 20 passes leaves the heap in use unchanged,
    /// trying for up to `seconds`. Short windows: other threads' allocations
    /// land in some of them; memory the plan kept would land in every one.
    static func hasQuietWindow(_ plan: Plan, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let before = heapInUse()
            for _ in 0..<20 {
                plan.forward()
                plan.backward()
            }
            if heapInUse() == before { return true }
        } while Date() < deadline
        return false
    }

    /// `uordblks + hblkhd` from glibc's `mallinfo2()`.
    ///
    /// `<malloc.h>` is not part of Swift's `Glibc` module, so the function is
    /// found with `dlsym`. It returns `struct mallinfo2` (ten `size_t`s) by
    /// value; under the x86-64 System V ABI a result that large is written
    /// through a hidden pointer passed as the first argument (and returned),
    /// so calling it as `(void *) -> void *` with a buffer of ten words is
    /// the same call. Fields: arena, ordblks, smblks, hblks, hblkhd (4),
    /// usmblks, fsmblks, uordblks (7), fordblks, keepcost.
    static func heapInUse() -> Int {
        typealias MallInfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
        let function = unsafeBitCast(dlsym(nil, "mallinfo2")!, to: MallInfo2.self)
        var fields = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &fields) { raw in
            _ = function(raw.baseAddress!)
            let words = raw.bindMemory(to: Int.self)
            return words[7] + words[4]
        }
    }

    static var hasMallinfo2: Bool {
        #if arch(x86_64)
        return dlsym(nil, "mallinfo2") != nil
        #else
        return false
        #endif
    }

    // MARK: Helpers

    static func runProcess(_ path: String, _ arguments: [String], environment: [String: String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The counting allocator preloaded into the child. Thread-local state
    /// (initial-exec TLS, so reading it never allocates); forwards to glibc.
    /// `…_others` also count, with an atomic, the calls of the other threads
    /// whose name starts with a prefix (the worker threads of threaded SVI
    /// runs, which inherit their creator's name), reading it with `prctl`.
    static let countingAllocator = """
        #include <stddef.h>
        #include <errno.h>
        #include <string.h>
        #include <sys/prctl.h>
        extern void *__libc_malloc(size_t);
        extern void *__libc_calloc(size_t, size_t);
        extern void *__libc_realloc(void *, size_t);
        extern void *__libc_memalign(size_t, size_t);
        static __thread int armed;
        static __thread long count;
        static int others_armed;
        static long others;
        static char prefix[16];
        void gumbo_allocation_probe_arm(void) { count = 0; armed = 1; }
        long gumbo_allocation_probe_disarm(void) { armed = 0; return count; }
        void gumbo_allocation_probe_arm_others(const char *name) {
            strncpy(prefix, name, sizeof prefix - 1);
            __atomic_store_n(&others, 0, __ATOMIC_SEQ_CST);
            __atomic_store_n(&others_armed, 1, __ATOMIC_SEQ_CST);
        }
        long gumbo_allocation_probe_disarm_others(void) {
            __atomic_store_n(&others_armed, 0, __ATOMIC_SEQ_CST);
            return __atomic_load_n(&others, __ATOMIC_SEQ_CST);
        }
        static void count_other(void) {
            char name[16] = {0};
            prctl(PR_GET_NAME, name);
            if (strncmp(name, prefix, strlen(prefix)) == 0) __atomic_fetch_add(&others, 1, __ATOMIC_RELAXED);
        }
        #define COUNT() do { \\
            if (armed) count++; \\
            else if (__atomic_load_n(&others_armed, __ATOMIC_RELAXED)) count_other(); \\
        } while (0)
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
}
