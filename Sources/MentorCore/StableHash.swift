/// FNV-1a, 64 bits, with a separator after every field ("ab"+"c" ≠ "a"+"bc"): the same
/// bytes give the same digest in every process and on every machine, unlike `Hasher`.
/// For change detection, not for security.
public struct StableHash: Sendable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        hash ^= 0xff
        hash = hash &* 0x100_0000_01b3
    }

    public mutating func add(_ text: String) { add(text.utf8) }

    /// 16 lowercase hex digits.
    public var hex: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// The digest of one text.
    public static func of(_ text: String) -> String {
        var hash = StableHash()
        hash.add(text)
        return hash.hex
    }
}
