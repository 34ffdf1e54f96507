import Foundation
import Testing
@testable import Gumbo

/// `WorkerPool`: every round runs the job once per chunk and returns only
/// when all are done, whether the workers were spinning or parked; pools
/// made and dropped at once stop their threads.
@Suite("Worker pool")
struct WorkerPoolTests {
    /// Per-chunk counters the jobs write (each chunk its own slot) and the
    /// caller reads after each round.
    final class Counters: @unchecked Sendable {
        let values: UnsafeMutablePointer<Int>
        let count: Int
        init(_ count: Int) {
            self.count = count
            values = .allocate(capacity: count)
            values.initialize(repeating: 0, count: count)
        }
        deinit { values.deallocate() }
    }

    @Test("each round runs every chunk once, back to back and after pauses long enough to park", arguments: [2, 3, 4])
    func rounds(chunks: Int) {
        let counters = Counters(chunks)
        let pool = WorkerPool(count: chunks) { k in counters.values[k] += 1 }
        var expected = 0
        for round in 0..<3000 {
            // Now and then wait past the spin, so the workers park.
            if round % 500 == 499 { Thread.sleep(forTimeInterval: 2 * Double(WorkerPool.spinNanoseconds) / 1e9) }
            pool.run()
            expected += 1
            // The round is over: every chunk has run it, none more.
            var all = true
            for k in 0..<chunks where counters.values[k] != expected { all = false }
            if !all {
                Issue.record("round \(round): \((0..<chunks).map { counters.values[$0] }) against \(expected)")
                return
            }
        }
    }

    @Test("a round waits for a slow chunk; pools made and dropped at once stop their threads")
    func slowChunkAndTeardown() {
        let counters = Counters(2)
        let pool = WorkerPool(count: 2) { k in
            if k == 1 { Thread.sleep(forTimeInterval: 0.003) }   // past the caller's spin: it parks
            counters.values[k] += 1
        }
        for round in 1...20 {
            pool.run()
            #expect(counters.values[0] == round && counters.values[1] == round)
        }
        for _ in 0..<100 {
            let unused = WorkerPool(count: 3) { _ in }
            _ = unused.count
        }
        for _ in 0..<50 {
            let used = WorkerPool(count: 2) { k in counters.values[k] += 1 }
            used.run()
        }
        #expect(counters.values[0] == 70 && counters.values[1] == 70)
    }
}
