import Testing

@testable import MachiMQTT

@Suite("MQTT topics")
struct MQTTTopicTests {
    @Test(
        "topic filter validation",
        arguments: [
            ("a/b/c", true), ("#", true), ("a/#", true), ("+", true), ("+/+", true), ("a/+/c", true), ("/", true),
            ("", false), ("a#", false), ("a/#/c", false), ("a+", false), ("a/b+/c", false), ("##", false),
        ]
    )
    func filterValidation(filter: String, valid: Bool) {
        #expect((MQTTTopic.topicFilterProblem(filter) == nil) == valid)
    }

    @Test(
        "topic name validation",
        arguments: [("a/b", true), ("/", true), ("$SYS/x", true), ("", false), ("a/+", false), ("#", false)]
    )
    func nameValidation(topic: String, valid: Bool) {
        #expect((MQTTTopic.topicNameProblem(topic) == nil) == valid)
    }

    @Test(
        "topic matching (§4.7)",
        arguments: [
            ("sport/tennis/player1/#", "sport/tennis/player1", true),
            ("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
            ("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
            ("sport/#", "sport", true),
            ("sport/tennis/+", "sport/tennis/player1", true),
            ("sport/tennis/+", "sport/tennis/player1/ranking", false),
            ("sport/+", "sport", false),
            ("sport/+", "sport/", true),
            ("+/+", "/finance", true),
            ("/+", "/finance", true),
            ("+", "/finance", false),
            ("#", "$SYS/broker", false),
            ("+/monitor/Clients", "$SYS/monitor/Clients", false),
            ("$SYS/#", "$SYS/broker", true),
            ("a/b", "a/b", true),
            ("a/b", "a/c", false),
        ]
    )
    func matching(filter: String, topic: String, expected: Bool) {
        #expect(MQTTTopic.matches(filter: filter, topic: topic) == expected)
    }
}
