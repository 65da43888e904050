import Foundation
import MachiIdentity
import Testing

@Suite struct SignInThrottleTests {
    @Test func delaysDoubleAfterTheFreeAttemptsAndASuccessClearsThem() throws {
        let throttle = SignInThrottle(policy: .init(freeAttempts: 3, maxDelay: 10))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func wait(at offset: TimeInterval) -> Int? {
            do {
                try throttle.check(account: "alice", address: "10.0.0.1", now: start.addingTimeInterval(offset))
                return nil
            } catch let error as IdentityError {
                return error.retryAfter
            } catch {
                return -1
            }
        }
        for _ in 0..<2 { throttle.record(success: false, account: "alice", address: "10.0.0.1", now: start) }
        #expect(wait(at: 0) == nil)
        throttle.record(success: false, account: "alice", address: "10.0.0.1", now: start)
        #expect(wait(at: 0) == 1)
        #expect(wait(at: 1) == nil)
        throttle.record(success: false, account: "alice", address: "10.0.0.1", now: start.addingTimeInterval(1))
        #expect(wait(at: 1) == 2)
        for _ in 0..<10 {
            throttle.record(success: false, account: "alice", address: "10.0.0.1", now: start.addingTimeInterval(1))
        }
        #expect(wait(at: 1) == 10)
        // Another address, or another account, is not held up.
        #expect((try? throttle.check(account: "alice", address: "10.0.0.2", now: start)) != nil)
        #expect((try? throttle.check(account: "bob", address: "10.0.0.1", now: start)) != nil)
        throttle.record(success: true, account: "Alice", address: "10.0.0.1", now: start)
        #expect(wait(at: 1) == nil)
    }

    @Test func aThrottledSignInIsRefusedEvenWithTheRightPassword() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        for _ in 0..<5 {
            #expect(
                await identityErrorCode {
                    _ = try await fixture.oauth.signIn(
                        username: "alice",
                        password: "wrong password",
                        address: "10.0.0.9"
                    )
                } == .accessDenied
            )
        }
        do {
            _ = try await fixture.oauth.signIn(
                username: "alice",
                password: "correct horse battery",
                address: "10.0.0.9"
            )
            Issue.record("signed in while throttled")
        } catch let error as IdentityError {
            #expect(error.code == .throttled)
            #expect((error.retryAfter ?? 0) >= 1)
        }
        fixture.time.advance(1)
        _ = try await fixture.oauth.signIn(username: "alice", password: "correct horse battery", address: "10.0.0.9")
    }
}
