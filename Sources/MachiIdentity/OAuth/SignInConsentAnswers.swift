/// The fields of the consent page and how its answers are read back: for each question shown a choice
/// `consent:<id>` = `grant` or `deny`, or one of the buttons `consent_all` = `grant` or `deny` for every question
/// shown; `consent_shown` lists the ids shown (space-separated), so an answer never reaches a request the resident
/// did not see (one that arrived while the page was open).
public enum SignInConsentAnswers {
    /// Present (`1`) when the consent page posts its answers.
    public static let marker = "consent_step"
    /// The ids of the questions shown, space-separated.
    public static let shown = "consent_shown"
    /// `grant` or `deny` for every question shown.
    public static let all = "consent_all"

    /// The field of one question's choice.
    public static func field(for id: String) -> String { "consent:\(id)" }

    /// The resident's answers in `form`: id → `true` (grant) or `false` (deny), for the questions shown; `nil` when
    /// the form is not the consent page's. Questions left unanswered are absent.
    public static func decisions(in form: [String: String]) -> [String: Bool]? {
        guard form[marker] == "1" else { return nil }
        let ids = (form[shown] ?? "").split(separator: " ").map(String.init)
        var decisions: [String: Bool] = [:]
        for id in ids {
            switch form[all] ?? form[field(for: id)] {
            case "grant": decisions[id] = true
            case "deny": decisions[id] = false
            default: continue
            }
        }
        return decisions
    }
}
