/// An exact amount of money in minor units (cents) of an ISO 4217 currency.
///
/// Never binary floating point: amounts are parsed from decimal text and stored as
/// integers or as normalised decimal text.
public struct Money: Hashable, Sendable {
    public let minorUnits: Int
    public let currency: String

    public init(minorUnits: Int, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Digits after the decimal point for a currency (ISO 4217); 2 unless listed.
    public static func exponent(of currency: String) -> Int {
        switch currency {
        case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "RWF", "XAF", "XOF", "PYG": return 0
        case "BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD": return 3
        default: return 2
        }
    }

    /// True for three uppercase ASCII letters.
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// Parses a non-negative decimal such as `120`, `120.5` or `99.99`; nil for anything else
    /// (signs, exponents, more decimals than the currency has).
    public init?(decimal text: String, currency: String) {
        let exponent = Money.exponent(of: currency)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parseDigits(ArraySlice(parts[0].utf8)), parts[0].utf8.count <= 9 else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1].utf8
            guard !digits.isEmpty, digits.count <= exponent, let value = parseDigits(ArraySlice(digits)) else { return nil }
            fraction = value
            for _ in digits.count..<exponent { fraction *= 10 }
        }
        var scale = 1
        for _ in 0..<exponent { scale *= 10 }
        self.init(minorUnits: whole * scale + fraction, currency: currency)
    }

    /// Normalised decimal text, e.g. `120.00`.
    public var decimalText: String {
        let exponent = Money.exponent(of: currency)
        guard exponent > 0 else { return String(minorUnits) }
        var scale = 1
        for _ in 0..<exponent { scale *= 10 }
        return "\(minorUnits / scale).\(pad(minorUnits % scale, exponent))"
    }

    /// For people: `$120`, `€95.50`, `KES 4,500`.
    public var formatted: String {
        let exponent = Money.exponent(of: currency)
        var scale = 1
        for _ in 0..<exponent { scale *= 10 }
        let whole = minorUnits / scale
        let fraction = minorUnits % scale
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        var number = digits + grouped
        if fraction != 0 { number += "." + pad(fraction, exponent) }
        switch currency {
        case "USD": return "$" + number
        case "EUR": return "€" + number
        case "GBP": return "£" + number
        case "JPY": return "¥" + number
        case "INR": return "₹" + number
        default: return currency + " " + number
        }
    }

    /// The price of `minutes` at this hourly rate, rounded half up to a minor unit.
    public func forSession(minutes: Int) -> Money {
        Money(minorUnits: (minorUnits * minutes + 30) / 60, currency: currency)
    }
}
