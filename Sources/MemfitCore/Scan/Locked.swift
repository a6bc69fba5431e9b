import Glibc

/// A value behind a pthread mutex, for the scan's worker threads. Not `Synchronization.Mutex`: on Linux that
/// locks with bare futexes, which the thread sanitizer cannot see, so `scripts/sanitize thread` would report
/// false races; pthread locks it understands.
public final class Locked<Value>: @unchecked Sendable {
    // Safe to share: every access to `value` holds `mutex`.
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
