import MachiIdentity
import Testing

/// The consent page's answers are read only for the questions it showed.
@Suite struct SignInConsentAnswersTests {
    @Test func onlyTheConsentPagesFormHasAnswers() {
        #expect(SignInConsentAnswers.decisions(in: [:]) == nil)
        #expect(SignInConsentAnswers.decisions(in: ["username": "hanako", "consent:a": "grant"]) == nil)
    }

    @Test func eachShownQuestionIsGrantedDeniedOrLeftOpen() {
        let form = [
            "consent_step": "1", "consent_shown": "a b c", "consent:a": "grant", "consent:b": "deny",
            "consent:x": "grant", "consent:c": "maybe",
        ]
        #expect(SignInConsentAnswers.decisions(in: form) == ["a": true, "b": false])
    }

    @Test func allAnswersEveryShownQuestionAndNoOther() {
        let form = ["consent_step": "1", "consent_shown": "a b", "consent_all": "deny", "consent:a": "grant"]
        #expect(SignInConsentAnswers.decisions(in: form) == ["a": false, "b": false])
    }
}
