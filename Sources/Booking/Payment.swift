/// A payment provider. The booking flow asks it to authorise the session's price; it never
/// sees, stores or logs the card beyond this call.
public protocol PaymentProvider: Sendable {
    /// A provider reference for an authorised payment, or a message for the patient.
    func authorize(amountMinor: Int, currency: String, card: CardInput) -> Result<String, PaymentDeclined>
    var isTestProvider: Bool { get }
}

public struct CardInput: Sendable {
    public var number: String
    public var expiry: String
    public var cvc: String
}

public struct PaymentDeclined: Error, Equatable, Sendable {
    public var message: String
}

/// The test provider: clearly labelled on the page, it accepts the test card
/// 4242 4242 4242 4242 and declines 4000 0000 0000 0002, like common providers' test modes.
public struct TestPaymentProvider: PaymentProvider {
    public init() {}
    public var isTestProvider: Bool { true }

    public func authorize(amountMinor: Int, currency: String, card: CardInput) -> Result<String, PaymentDeclined> {
        let digits = card.number.filter(\.isWholeNumber)
        guard digits.count >= 12, digits.count <= 19, card.number.allSatisfy({ $0.isWholeNumber || $0 == " " }) else {
            return .failure(PaymentDeclined(message: "Enter the card number (test card: 4242 4242 4242 4242)."))
        }
        guard card.expiry.count == 5, card.expiry.dropFirst(2).first == "/", let month = Int(card.expiry.prefix(2)), (1...12).contains(month) else {
            return .failure(PaymentDeclined(message: "Enter the expiry date as MM/YY."))
        }
        guard card.cvc.count >= 3, card.cvc.count <= 4, card.cvc.allSatisfy(\.isWholeNumber) else {
            return .failure(PaymentDeclined(message: "Enter the 3 or 4 digits of the security code."))
        }
        if digits == "4000000000000002" { return .failure(PaymentDeclined(message: "The test provider declined this card. Try 4242 4242 4242 4242.")) }
        guard digits == "4242424242424242" else {
            return .failure(PaymentDeclined(message: "This is a test provider: only the test card 4242 4242 4242 4242 is accepted."))
        }
        return .success("test_\(currency.lowercased())_\(amountMinor)_\(RandomToken.generate(bytes: 16).prefix(12))")
    }
}
