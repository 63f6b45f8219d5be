import Foundation
import Testing
@testable import Booking

let key = SecretKey(bytes: Array(repeating: 7, count: 32))

@Suite struct SignedTokenTests {
    @Test func roundTrips() throws {
        let token = SignedToken.sign(purpose: "confirm", subject: "appt-1", expires: 2000, key: key)
        #expect(try SignedToken.verify(token, purpose: "confirm", now: 1999, key: key) == .init(purpose: "confirm", subject: "appt-1", expires: 2000))
    }

    @Test func refusesExpiredTokens() {
        let token = SignedToken.sign(purpose: "confirm", subject: "appt-1", expires: 2000, key: key)
        #expect(failure { _ = try SignedToken.verify(token, purpose: "confirm", now: 2000, key: key) }?.message.contains("expired") == true)
    }

    @Test func refusesATokenMadeForAnotherPurposeOrKey() {
        let token = SignedToken.sign(purpose: "csrf", subject: "s", expires: 2000, key: key)
        #expect(failure { _ = try SignedToken.verify(token, purpose: "confirm", now: 1, key: key) } != nil)
        #expect(failure { _ = try SignedToken.verify(token, purpose: "csrf", now: 1, key: SecretKey(bytes: Array(repeating: 8, count: 32))) } != nil)
    }

    @Test func refusesTamperedTokens() {
        let token = SignedToken.sign(purpose: "confirm", subject: "appt-1", expires: 2000, key: key)
        let forged = SignedToken.base64URL(Array("v1|confirm|2000|appt-2".utf8)) + "." + token.split(separator: ".")[1]
        for bad in [forged, token + "x", String(token.dropLast()), "", ".", "a.b.c", token.replacingOccurrences(of: ".", with: "")] {
            #expect(failure { _ = try SignedToken.verify(bad, purpose: "confirm", now: 1, key: key) }?.status == .badRequest, "\(bad)")
        }
    }

    /// Regression from `make fuzz` (Fuzz/corpus/FuzzSignedToken/non-canonical): the last
    /// base64 character of the payload with other unused low bits decoded to the same
    /// bytes, so a second spelling of a genuine token verified.
    @Test func refusesANonCanonicalSpellingOfAGenuineToken() throws {
        let fuzzKey = SecretKey(bytes: Array(repeating: 7, count: 32))
        let genuine = SignedToken.sign(purpose: "confirm", subject: "appointment-1", expires: 2_000_000_000, key: fuzzKey)
        #expect(genuine.hasPrefix("djF8Y29uZmlybXwyMDAwMDAwMDAwfGFwcG9pbnRtZW50LTE."))
        _ = try SignedToken.verify(genuine, purpose: "confirm", now: 1, key: fuzzKey)
        let respelled = genuine.replacingOccurrences(of: "LTE.", with: "LTG.")
        #expect(failure { _ = try SignedToken.verify(respelled, purpose: "confirm", now: 1, key: fuzzKey) }?.status == .badRequest)
        #expect(SignedToken.decodeBase64URL("LTG") == nil && SignedToken.decodeBase64URL("LTE") == Array("-1".utf8))
    }
}

@Suite struct RandomTokenTests {
    @Test func hasAtLeast128BitsAndStoresOnlyADigest() {
        let token = RandomToken.generate()
        #expect(SignedToken.decodeBase64URL(token)!.count >= 16)
        #expect(token != RandomToken.generate())
        #expect(RandomToken.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct SecretKeyTests {
    @Test func isCreatedOnceWithMode0600() throws {
        let folder = NSTemporaryDirectory() + "key-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/private/secret.key"
        let first = try SecretKey.loadOrCreate(at: path)
        let second = try SecretKey.loadOrCreate(at: path)
        let token = SignedToken.sign(purpose: "p", subject: "s", expires: 10, key: first)
        #expect((try? SignedToken.verify(token, purpose: "p", now: 1, key: second)) != nil)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)
    }

    @Test func refusesAKeyOthersCanRead() throws {
        let folder = NSTemporaryDirectory() + "key-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/secret.key"
        _ = try SecretKey.loadOrCreate(at: path)
        chmod(path, 0o644)
        #expect(failure { _ = try SecretKey.loadOrCreate(at: path) }?.status == .unavailable)
    }
}
