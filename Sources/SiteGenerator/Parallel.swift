import Dispatch
import Foundation

/// Maps `items` on all cores, keeping the order. Each result slot is written by exactly one
/// worker, so the buffer needs no lock.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    if items.count < 64 { return items.map(transform) }
    let slots = ParallelSlots<R>(count: items.count)
    let chunk = 16
    let chunks = (items.count + chunk - 1) / chunk
    items.withUnsafeBufferPointer { input in
        nonisolated(unsafe) let input = input
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            for i in index * chunk..<min(items.count, (index + 1) * chunk) {
                slots.buffer[i] = transform(input[i])
            }
        }
    }
    return slots.buffer.map { $0! }
}

private final class ParallelSlots<R>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<R?>
    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }
    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }
}

/// Like `parallelMap`, but each worker thread first makes its own `State` (for example its
/// own parsed templates). Threads that share objects contend on their reference counts:
/// rendering shared templates from two threads measured 1.4–1.6× one thread; with a copy
/// per worker, 2.0×.
func parallelMap<T: Sendable, State, R: Sendable>(_ items: [T], state makeState: @Sendable () -> State, _ transform: @Sendable (inout State, T) -> R) -> [R] {
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, (items.count + 63) / 64))
    if workers == 1 {
        var state = makeState()
        return items.map { transform(&state, $0) }
    }
    let slots = ParallelSlots<R>(count: items.count)
    let next = ChunkCounter()
    let chunk = 16
    items.withUnsafeBufferPointer { input in
        nonisolated(unsafe) let input = input
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var state = makeState()
            while let start = next.take(chunk, limit: items.count) {
                for i in start..<min(items.count, start + chunk) {
                    slots.buffer[i] = transform(&state, input[i])
                }
            }
        }
    }
    return slots.buffer.map { $0! }
}

/// Hands out chunk starts to workers.
private final class ChunkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(_ size: Int, limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        let start = value
        value += size
        return start
    }
}
