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
    private let job: (Int) -> Void
    private let start: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private var stopping = false

    /// A pool for `count` chunks (`count − 1` worker threads).
    init(count: Int, job: @escaping (Int) -> Void) {
        self.count = count
        self.job = job
        start = (1..<max(count, 1)).map { _ in DispatchSemaphore(value: 0) }
        for chunk in 1..<max(count, 1) {
            let thread = Thread { [unowned self] in self.serve(chunk) }
            thread.name = "gumbo.svi.chunk\(chunk)"
            thread.start()
        }
    }

    private func serve(_ chunk: Int) {
        while true {
            start[chunk - 1].wait()
            if stopping { break }
            job(chunk)
            done.signal()
        }
        exited.signal()
    }

    /// Runs the job on every chunk and waits for all of them.
    func run() {
        // Index loops: in an unoptimized build, `for … in` over an array
        // allocates a coroutine frame per element.
        for k in 0..<start.count { start[k].signal() }
        job(0)
        for _ in 0..<start.count { done.wait() }
    }

    deinit {
        stopping = true
        for semaphore in start { semaphore.signal() }
        for _ in start { exited.wait() }
    }
}
