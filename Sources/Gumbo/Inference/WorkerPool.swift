import Foundation
import Synchronization

/// A fixed set of threads that run one job on every chunk of a step, for
/// ``SVI`` with ``SVIConfiguration/threads`` above 1.
///
/// ``run()`` calls the job for chunk 0 on the calling thread and for chunks
/// `1 ..< count` on the workers (worker `k` always runs chunk `k`), and
/// returns when all are done. The job is set once, when the pool is made,
/// so a step allocates nothing. What a chunk computes depends only on its
/// index, never on timing: combining the chunks' results in index order
/// afterwards makes a run deterministic.
///
/// **Waiting.** A step is a few rounds a fraction of a millisecond apart
/// (``ThreadedStep``), and waking a thread parked on a semaphore took
/// about 30 µs on a 2-core VM, a hundred per step: more than W3's whole
/// step at 10³ points. So a thread that waits (a worker for the next
/// round, the caller for the workers) first spins on an atomic counter for
/// up to ``spinNanoseconds`` and only then parks on its semaphore. Parking
/// is a handshake that loses no wake-up: the waiter raises its `parked`
/// flag and then checks the counter again; the other side changes the
/// counter and then takes the flag, signalling only a waiter it took it
/// from. Either the waiter sees the change or the other side sees the
/// flag (both sequentially consistent). A signal whose waiter had already
/// seen the change leaves a count on the semaphore, so every waiter
/// re-checks its counter after waking.
final class WorkerPool: @unchecked Sendable {
    let count: Int
    private let shared: Shared

    /// How long a waiting thread spins before it parks.
    static let spinNanoseconds: UInt64 = 100_000

    /// A worker's wake-up: its flag and its semaphore.
    private final class Slot: @unchecked Sendable {
        let parked = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    /// What the workers hold: they keep it alive, not the pool, so a
    /// worker that starts only after the pool is gone (a run made and
    /// dropped at once) finds it intact, sees `stopping` and exits.
    private final class Shared: @unchecked Sendable {
        let job: (Int) -> Void
        let slots: [Slot]
        /// Bumped by ``WorkerPool/run()`` to start a round: each worker runs
        /// the job once per value (it cannot miss one: the next round starts
        /// only after every worker finished this one).
        let round = Atomic<Int>(0)
        /// Workers still running this round's job.
        let remaining = Atomic<Int>(0)
        /// The caller's wake-up, for the end of a round.
        let callerParked = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        let exited = DispatchSemaphore(value: 0)
        let stopping = Atomic<Bool>(false)

        init(job: @escaping (Int) -> Void, workers: Int) {
            self.job = job
            slots = (0..<workers).map { _ in Slot() }
        }

        func serve(_ chunk: Int) {
            let slot = slots[chunk - 1]
            var seen = 0
            while true {
                WorkerPool.wait(until: { round.load(ordering: .acquiring) != seen }, parked: slot.parked,
                                semaphore: slot.wake)
                seen &+= 1
                if stopping.load(ordering: .acquiring) { break }
                job(chunk)
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0,
                   callerParked.exchange(false, ordering: .sequentiallyConsistent) {
                    done.signal()
                }
            }
            exited.signal()
        }
    }

    /// A pool for `count` chunks (`count − 1` worker threads).
    init(count: Int, job: @escaping (Int) -> Void) {
        self.count = count
        let shared = Shared(job: job, workers: max(count, 1) - 1)
        self.shared = shared
        for chunk in 1..<max(count, 1) {
            let thread = Thread { shared.serve(chunk) }
            thread.name = "gumbo.svi.chunk\(chunk)"
            thread.start()
        }
    }

    /// Runs the job on every chunk and waits for all of them.
    func run() {
        let shared = shared
        shared.remaining.store(shared.slots.count, ordering: .releasing)
        shared.round.add(1, ordering: .sequentiallyConsistent)
        Self.wakeParked(shared.slots)
        shared.job(0)
        Self.wait(until: { shared.remaining.load(ordering: .acquiring) == 0 }, parked: shared.callerParked,
                  semaphore: shared.done)
    }

    deinit {
        shared.stopping.store(true, ordering: .releasing)
        shared.round.add(1, ordering: .sequentiallyConsistent)
        // Index loops: in an unoptimized build, `for … in` over an array
        // allocates a coroutine frame per element.
        for k in 0..<shared.slots.count { shared.slots[k].wake.signal() }
        for _ in 0..<shared.slots.count { shared.exited.wait() }
    }

    /// Signals each worker that has parked (after the round changed).
    private static func wakeParked(_ slots: [Slot]) {
        for k in 0..<slots.count where slots[k].parked.exchange(false, ordering: .sequentiallyConsistent) {
            slots[k].wake.signal()
        }
    }

    /// Returns once `condition` holds: spinning for up to
    /// ``spinNanoseconds``, then parked on `semaphore` by the handshake
    /// above (`parked` raised, the condition checked again).
    @inline(__always)
    private static func wait(until condition: () -> Bool, parked: borrowing Atomic<Bool>,
                             semaphore: DispatchSemaphore) {
        while !condition() {
            if spin(until: condition) { return }
            parked.store(true, ordering: .sequentiallyConsistent)
            if condition() {
                // The other side may already have taken the flag and
                // signalled: that count is absorbed by a later wait.
                _ = parked.exchange(false, ordering: .sequentiallyConsistent)
                return
            }
            semaphore.wait()
        }
    }

    /// Spins until `condition` holds (true) or ``spinNanoseconds`` pass
    /// (false), reading the clock every 64 checks.
    @inline(__always)
    private static func spin(until condition: () -> Bool) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds &+ spinNanoseconds
        while true {
            for _ in 0..<64 where condition() { return true }
            if DispatchTime.now().uptimeNanoseconds >= deadline { return false }
        }
    }
}
