import Dispatch

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
