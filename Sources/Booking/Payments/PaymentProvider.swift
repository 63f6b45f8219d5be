import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import MentorCore

/// A payment provider. The booking flow asks it to authorise a session's price, to capture
/// it once the session is booked, to void an authorisation whose booking did not happen,
/// and to refund a cancelled session by the policy; it never sees, stores or logs the
/// card beyond the call.
public protocol PaymentProvider: Sendable {
    /// Stored with each payment (`payments.provider`).
    var name: String { get }
    var isTestProvider: Bool { get }
    /// A provider reference for an authorised payment, or a message for the patient.
    /// `idempotencyKey` is the booking form's: the caller claims it before calling.
    func authorize(amountMinor: Int, currency: String, card: CardInput, idempotencyKey: String) -> Result<String, PaymentDeclined>
    /// Releases an authorisation. Throws when the provider could not be reached or refused.
    func void(reference: String, reason: String) throws(PaymentProviderError)
    /// Takes `amountMinor` (at most the authorised amount) of an authorisation, releasing the rest.
    func capture(reference: String, amountMinor: Int) throws(PaymentProviderError)
    /// Gives back `amountMinor` of a capture.
    func refund(reference: String, amountMinor: Int, reason: String) throws(PaymentProviderError)
    /// The live authorisation the provider made for a form's idempotency key, if any: how
    /// a claim whose process died before recording the answer is settled.
    func authorization(idempotencyKey: String) throws(PaymentProviderError) -> String?
}

public struct CardInput: Sendable {
    public var number: String
    public var expiry: String
    public var cvc: String

    public init(number: String, expiry: String, cvc: String) {
        self.number = number
        self.expiry = expiry
        self.cvc = cvc
    }

    /// Why the typed card cannot be sent to a provider at all, or nil. Checked before a
    /// payment is claimed, so a mistyped form writes nothing.
    public var problem: String? {
        let digits = number.filter(\.isWholeNumber)
        guard digits.count >= 12, digits.count <= 19, number.allSatisfy({ ($0.isASCII && $0.isWholeNumber) || $0 == " " }) else {
            return "Enter the card number (test card: 4242 4242 4242 4242)."
        }
        guard expiry.utf8.count == 5, expiry.dropFirst(2).first == "/", let month = Int(plainDigits: expiry.prefix(2)),
              Int(plainDigits: expiry.suffix(2)) != nil, (1...12).contains(month)
        else {
            return "Enter the expiry date as MM/YY."
        }
        guard (3...4).contains(cvc.utf8.count), Int(plainDigits: cvc) != nil else {
            return "Enter the 3 or 4 digits of the security code."
        }
        return nil
    }
}

public struct PaymentDeclined: Error, Equatable, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
}

public struct PaymentProviderError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The test provider: clearly labelled on the page, it accepts the test card
/// 4242 4242 4242 4242 and declines 4000 0000 0000 0002, like common providers' test modes.
/// It keeps a ledger, as a real provider's dashboard would: one JSON line per call
/// (`authorize`, `decline`, `capture`, `void`, `refund`) appended to `ledgerPath`, which tests read to prove
/// that a form is authorised once and every authorisation without a booking is voided.
public struct TestPaymentProvider: PaymentProvider {
    public var ledgerPath: String?
    public var now: Int

    public init(ledgerPath: String? = nil, now: Int = 0) {
        self.ledgerPath = ledgerPath
        self.now = now
    }

    public var name: String { "test" }
    public var isTestProvider: Bool { true }

    public func authorize(amountMinor: Int, currency: String, card: CardInput, idempotencyKey: String) -> Result<String, PaymentDeclined> {
        if let problem = card.problem { return .failure(PaymentDeclined(message: problem)) }
        let digits = card.number.filter(\.isWholeNumber)
        let declined: String?
        if digits == "4000000000000002" {
            declined = "The test provider declined this card. Try 4242 4242 4242 4242."
        } else if digits != "4242424242424242" {
            declined = "This is a test provider: only the test card 4242 4242 4242 4242 is accepted."
        } else {
            declined = nil
        }
        if let declined {
            record(["op": "decline", "key": idempotencyKey, "amount_minor": String(amountMinor), "currency": currency])
            return .failure(PaymentDeclined(message: declined))
        }
        let reference = "test_\(currency.lowercased())_\(amountMinor)_\(RandomToken.generate(bytes: 16).prefix(12))"
        record(["op": "authorize", "key": idempotencyKey, "reference": reference, "amount_minor": String(amountMinor), "currency": currency])
        return .success(reference)
    }

    public func void(reference: String, reason: String) throws(PaymentProviderError) {
        guard reference.hasPrefix("test_") else { throw PaymentProviderError("unknown test reference \(reference.prefix(40))") }
        record(["op": "void", "reference": reference, "reason": reason])
    }

    public func capture(reference: String, amountMinor: Int) throws(PaymentProviderError) {
        guard reference.hasPrefix("test_") else { throw PaymentProviderError("unknown test reference \(reference.prefix(40))") }
        record(["op": "capture", "reference": reference, "amount_minor": String(amountMinor)])
    }

    public func refund(reference: String, amountMinor: Int, reason: String) throws(PaymentProviderError) {
        guard reference.hasPrefix("test_") else { throw PaymentProviderError("unknown test reference \(reference.prefix(40))") }
        record(["op": "refund", "reference": reference, "amount_minor": String(amountMinor), "reason": reason])
    }

    public func authorization(idempotencyKey: String) throws(PaymentProviderError) -> String? {
        guard let ledgerPath, let text = Files.readText(ledgerPath) else { return nil }
        var live: String?
        for line in text.split(separator: "\n") {
            guard let entry = try? JSONDecoder().decode([String: String].self, from: Data(line.utf8)) else { continue }
            if entry["op"] == "authorize", entry["key"] == idempotencyKey { live = entry["reference"] }
            if entry["op"] == "void", entry["reference"] == live { live = nil }
        }
        return live
    }

    /// One line per call, written with a single `write` on an `O_APPEND` file, so that
    /// concurrent processes never interleave.
    func record(_ fields: [String: String]) {
        guard let ledgerPath else { return }
        var entry = fields
        entry["at"] = Timestamp.format(secondsSinceEpoch: now)
        let line = "{" + WebText.join(entry.keys.sorted().map { WebText.jsonString($0) + ":" + WebText.jsonString(entry[$0]!) }, separator: ",") + "}\n"
        let folder = Files.folder(of: ledgerPath)
        if !folder.isEmpty, !Files.exists(folder) { mkdir(folder, 0o700) }
        let descriptor = open(ledgerPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            Files.writeStandardError("mentorsite: cannot write the test payment ledger \(ledgerPath)\n")
            return
        }
        Files.writeAll(descriptor, Array(line.utf8))
        close(descriptor)
    }
}
