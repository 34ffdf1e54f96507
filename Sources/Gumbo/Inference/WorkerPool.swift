import Foundation

/// A fixed set of threads that run one job on every chunk of a step, for
/// ``SVI`` with ``SVIConfiguration/threads`` above 1.
///
/// ``run()`` calls the job for chunk 0 on the calling thread and for chunks
/// `1 ..< count` on the workers (worker `k` always runs chunk `k`), and
/// returns when all are done. The job is set once, when the pool is made,
/// and the threads wait on semaphores between steps, so a step allocates
/// nothing. What a chunk computes depends only on its index, never on
/// timing: combining the chunks' results in index order afterwards makes
/// a run deterministic.
final class WorkerPool: @unchecked Sendable {
    let count: Int
    private let shared: Shared

    /// What the workers hold: they keep it alive, not the pool, so a
    /// worker that starts only after the pool is gone (a run made and
    /// dropped at once) finds it intact, sees `stopping` and exits.
    private final class Shared: @unchecked Sendable {
        let job: (Int) -> Void
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        let exited = DispatchSemaphore(value: 0)
        var stopping = false

        init(job: @escaping (Int) -> Void, workers: Int) {
            self.job = job
            start = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
        }

        func serve(_ chunk: Int) {
            while true {
                start[chunk - 1].wait()
                if stopping { break }
                job(chunk)
                done.signal()
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
        // Index loops: in an unoptimized build, `for … in` over an array
        // allocates a coroutine frame per element.
        let start = shared.start
        for k in 0..<start.count { start[k].signal() }
        shared.job(0)
        for _ in 0..<start.count { shared.done.wait() }
    }

    deinit {
        shared.stopping = true
        for semaphore in shared.start { semaphore.signal() }
        for _ in shared.start { shared.exited.wait() }
    }
}
