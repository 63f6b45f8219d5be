import Dispatch
import Foundation
import Testing
@testable import MentorStore
import MentorCore

@Suite struct RateLimitTests {
    @Test func refusesPastTheLimitUntilTheWindowEnds() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        for _ in 0..<3 { #expect(try db.rateLimit("ip:1", limit: 3, window: 3600, now: 7200 + 10) == nil) }
        #expect(try db.rateLimit("ip:1", limit: 3, window: 3600, now: 7200 + 100) == 3500)
        #expect(try db.rateLimit("ip:2", limit: 3, window: 3600, now: 7200 + 100) == nil)
        #expect(try db.rateLimit("ip:1", limit: 3, window: 3600, now: 10_800) == nil)
        #expect(try db.connection.scalarInt("SELECT count FROM rate_limits WHERE key = 'ip:1' AND window_start = 7200") == 3)
    }
}
