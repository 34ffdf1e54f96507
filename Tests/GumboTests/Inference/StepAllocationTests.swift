import Foundation
import Glibc
import Testing
import Gumbo
import GumboWorkloads

/// `SVI.step()` allocates nothing once the run is made: noise, minibatches,
/// the baselines, forward, backward, the finite check and the optimizer all
/// work in memory allocated by the initializer. Counted exactly with the
/// preloaded counting allocator of `AllocationTests` (a child run of this
/// test binary), over steps of every kind of estimator on the reference
/// workloads; the worker threads of threaded runs are counted too.
@Suite("SVI step allocations")
struct StepAllocationTests {
    /// Runs whose steps are counted: enumeration, REINFORCE with a moving
    /// baseline, straight-through Gumbel-softmax and binary Concrete (W2–W4,
    /// W3 at a reduced size), and W5 with minibatches and an annealed
    /// temperature at a small batch.
    static func runs() throws -> [(String, SVI)] {
        let reinforce = Estimator.reinforce(baseline: .movingAverage(decay: 0.9))
        var runs: [(String, SVI)] = []
        for (name, estimator) in [("W2 enumerate", Estimator.enumeration), ("W2 reinforce", reinforce)] {
            let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide(),
                options: CompileOptions(estimators: ["rain": estimator, "sprinkler": estimator]))
            runs.append((name, try SVI(compiled)))
        }
        let data = BenchmarkData.mixture(count: 60)
        for (name, estimator) in [("W3 enumerate", Estimator.enumeration), ("W3 reinforce", reinforce),
                                  ("W3 st-gumbel-softmax", .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true))] {
            let compiled = try GaussianMixture.model(data: data).compile(guide: GaussianMixture.guide(count: data.count),
                                                                         options: CompileOptions(estimators: ["z": estimator]))
            runs.append((name, try SVI(compiled, configuration: SVIConfiguration(particles: 2))))
            runs.append((name + " threads 2", try SVI(compiled, configuration: SVIConfiguration(particles: 2, threads: 2))))
        }
        // Shared parameters large enough to be reduced on the threads too.
        runs.append(("W3 wide threads 2", try ThreadsTests.wide(threads: 2)))
        let spike = BenchmarkData.spikeAndSlab(count: 40, features: 10)
        let compiled = try SpikeAndSlab.model(design: spike.design, responses: spike.responses)
            .compile(guide: SpikeAndSlab.guide(features: 10),
                     options: CompileOptions(estimators: ["g": .concrete(temperature: .constant(2.0 / 3.0), straightThrough: false)]))
        runs.append(("W4 concrete", try SVI(compiled)))
        let images = SyntheticDigits().images(count: 20, seed: 5)
        let annealed = Temperature.exponential(initial: 1, minimum: 0.5, rate: 0.01)
        let vae = try DiscreteVAE.model(images: images, batch: 4).compile(
            guide: DiscreteVAE.guide(images: images, batch: 4),
            options: CompileOptions(estimators: ["z": .gumbelSoftmax(temperature: annealed, straightThrough: true)]))
        runs.append(("W5 st-gumbel-softmax", try SVI(vae, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 1e-3)))))
        var single = CompileOptions(estimators: ["z": .gumbelSoftmax(temperature: annealed, straightThrough: true)])
        single.matrixPrecision = .single
        let singleVAE = try DiscreteVAE.model(images: images, batch: 4).compile(
            guide: DiscreteVAE.guide(images: images, batch: 4), options: single)
        runs.append(("W5 single-precision products",
                     try SVI(singleVAE, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 1e-3)))))
        return runs
    }

    @Test("SVI.step() makes no allocation calls after construction (counted via LD_PRELOAD)",
          .enabled(if: AllocationTests.compiler != nil, "needs a C compiler to build the counting malloc shim"))
    func stepsAllocateNothing() throws {
        guard let counts = try AllocationTests.countInChild(
            filter: "stepAllocationProbeChild", reportVariable: "GUMBO_STEP_ALLOCATION_PROBE_REPORT", separator: "\t") else { return }
        #expect((counts["control"] ?? 0) >= 1, "positive control: \(counts)")
        #expect((counts["worker control"] ?? 0) >= 1, "positive control of other threads: \(counts)")
        #expect(counts.count >= 27, "every run reported: \(counts)")
        #expect((counts["named threads"] ?? 0) >= 4, "the threaded runs' workers carry the probe's name: \(counts)")
        for (name, count) in counts where !name.hasSuffix("control") && name != "sink" && name != "named threads" {
            #expect(count == 0, "\(name): \(count) allocation calls in 10 steps")
        }
    }

    /// The name the child gives its thread, so that the worker threads it
    /// makes (threaded runs) are counted; 15 characters at most (`comm`).
    static let probeThreadName = "gumbo-probe"

    /// Runs `body` on a new thread named ``probeThreadName``, and waits.
    static func onNamedThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? probeThreadName.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            body()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    /// A value handed across threads, for the probe.
    final class Box<Value>: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Runs only as the child of ``stepsAllocateNothing()``; a no-op otherwise.
    @Test("step allocation probe (child process; does nothing in a normal run)")
    func stepAllocationProbeChild() throws {
        guard let reportPath = ProcessInfo.processInfo.environment["GUMBO_STEP_ALLOCATION_PROBE_REPORT"],
              let armSymbol = dlsym(nil, "gumbo_allocation_probe_arm"),
              let disarmSymbol = dlsym(nil, "gumbo_allocation_probe_disarm")
        else { return }
        typealias Arm = @convention(c) () -> Void
        typealias Disarm = @convention(c) () -> Int
        let arm = unsafeBitCast(armSymbol, to: Arm.self)
        let disarm = unsafeBitCast(disarmSymbol, to: Disarm.self)
        typealias ArmOthers = @convention(c) (UnsafePointer<CChar>) -> Void
        guard let armOthersSymbol = dlsym(nil, "gumbo_allocation_probe_arm_others"),
              let disarmOthersSymbol = dlsym(nil, "gumbo_allocation_probe_disarm_others") else { return }
        let armOthers = unsafeBitCast(armOthersSymbol, to: ArmOthers.self)
        let disarmOthers = unsafeBitCast(disarmOthersSymbol, to: Disarm.self)
        arm()
        let array = Array(repeating: getpid(), count: 16)
        var text = "control\t\(disarm())\n"
        // Positive control of the other threads' count: a named thread allocates.
        armOthers(Self.probeThreadName)
        Self.onNamedThread { _ = Array(repeating: getpid(), count: 16) }
        text += "worker control\t\(disarmOthers())\n"
        // Threads inherit their creator's name: runs made on a named thread
        // have named worker threads, whose calls are counted apart.
        let made = Box<Result<[(String, SVI)], Error>>(.success([]))
        Self.onNamedThread { made.value = Result { try Self.runs() } }
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let named = tasks.filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.hasPrefix(Self.probeThreadName) == true
        }
        text += "named threads\t\(named.count)\n"
        for (name, svi) in try made.value.get() {
            for _ in 0..<3 { try svi.step() }   // warm-up
            armOthers(Self.probeThreadName)
            arm()
            for _ in 0..<10 { try svi.step() }
            let count = disarm()
            text += "\(name)\t\(count)\n"
            text += "\(name) (worker threads)\t\(disarmOthers())\n"
        }
        text += "sink\t\(array.count)\n"
        try text.write(toFile: reportPath, atomically: true, encoding: .utf8)
    }
}
