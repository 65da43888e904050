import MachiCore
import Testing

struct QueryEvaluationTests {
    static let vehicle = fixtureEntity([
        "id": "urn:ngsi-ld:Vehicle:A", "type": ["Vehicle"],
        "createdAt": "2024-01-01T00:00:00.000Z", "modifiedAt": "2024-06-01T12:00:00.000Z",
        "speed": [
            ["type": "Property", "value": 30, "observedAt": "2024-06-01T11:59:00.000Z", "unitCode": "KMH"],
            ["type": "Property", "value": 80, "datasetId": "urn:ngsi-ld:Dataset:gps"],
        ],
        "brandName": [["type": "Property", "value": "Mercedes"]],
        "route": [["type": "Property", "value": "550"]],
        "tags": [["type": "Property", "value": ["a", "b"]]],
        "active": [["type": "Property", "value": true]],
        "departure": [["type": "Property", "value": "2026-03-01T06:00:00Z"]],
        "installed": [["type": "Property", "value": ["@type": "DateTime", "@value": "2020-05-01T10:00:00Z"]]],
        "address": [["type": "Property", "value": ["city": "Shiojiri", "zip": "399-0738", "geo": ["floor": 3]]]],
        "sensor": [
            [
                "type": "Property", "value": 40,
                "rawdata": ["type": "Property", "value": ["airquality": ["particulate": 40, "PM20": 85]]],
            ]
        ],
        "label": [["type": "LanguageProperty", "languageMap": ["en": "red", "fr": "rouge"]]],
        "names": [["type": "LanguageProperty", "languageMap": ["en": ["red", "cat"], "fr": ["chat", "rouge"]]]],
        "category": [["type": "VocabProperty", "vocab": "https://example.org/commercial"]],
        "isParked": [
            [
                "type": "Relationship", "object": "urn:ngsi-ld:OffStreetParking:Downtown1",
                "observedAt": "2024-06-01T12:00:00Z",
                "providedBy": ["type": "Relationship", "object": "urn:ngsi-ld:Person:Bob"],
            ]
        ],
        "passengers": [
            [
                "type": "ListRelationship",
                "objectList": [["object": "urn:ngsi-ld:Person:A"], ["object": "urn:ngsi-ld:Person:B"]],
            ]
        ],
        "readings": [["type": "ListProperty", "valueList": [1, 5, 9]]],
        "ticket": [["type": "JsonProperty", "json": ["id": "85a6", "value": "Overstay 60 minutes"]]],
        "nothing": [["type": "Property", "value": ["x": nil]]],
    ])

    static let cases: [(String, Bool)] = [
        // existence
        ("speed", true), ("heading", false), ("!heading", true), ("!speed", false), ("speed.observedAt", true),
        ("speed.unitCode", true), ("brandName.observedAt", false), ("address[city]", true),
        ("address[postcode]", false),
        ("createdAt", true), ("nothing[x]", true),
        // numbers, multi-attributes (any instance), missing attributes
        ("speed==30", true), ("speed==80", true), ("speed==31", false), ("speed>79", true), ("speed>80", false),
        ("speed>=80", true), ("speed<30", false), ("speed<=30", true), ("speed!=30", true), ("heading!=1", false),
        ("speed==20..35", true), ("speed==31..79", false), ("speed!=10..100", false), ("speed!=31..40", true),
        ("speed==1,2,30", true), ("speed!=30,80", false),
        // data types must agree
        (#"speed=="30""#, false), (#"speed!="thirty""#, true), ("route>100", false), (#"route>"200""#, true),
        (#"route=="550""#, true), ("route==550", false), ("active==true", true), ("active==false", false),
        ("active!=false", true),
        // strings: code point order, lists, arrays
        (#"brandName=="Mercedes""#, true), (#"brandName!="Mercedes""#, false), (#"brandName>"Audi""#, true),
        (#"brandName<"mercedes""#, true), (#"brandName=="BMW","Mercedes""#, true),
        (#"brandName!="BMW","Mercedes""#, false),
        (#"tags=="b""#, true), (#"tags=="c""#, false), (#"tags!="c""#, true), (#"tags!="a""#, false),
        (#"tags=="x","b""#, true), (#"tags=="x","z""#, false), (#"tags>"a""#, true),
        // patterns (a search, strings only)
        (#"brandName~="^Merc""#, true), (#"brandName~="cede""#, true), (#"brandName~="^cede""#, false),
        (#"brandName!~="^Merc""#, false), (#"brandName!~="^BMW""#, true), (#"speed~="3.*""#, false),
        (#"speed!~="3.*""#, false), (#"route~="5.*""#, true), (#"tags~="^b$""#, true), (#"tags!~="^b$""#, false),
        (#"label~="^ro""#, true),
        // date and time: temporal, not textual
        ("departure>2026-02-15T00:00:00Z", true), (#"departure>"2026-02-15T00:00:00Z""#, true),
        ("departure==2026-03-01T06:00:00.000Z", true), ("departure<2026-03-01T07:00:00+01:00", false),
        ("installed<2021-01-01T00:00:00Z", true), ("installed==2020-01-01T00:00:00Z..2020-12-31T00:00:00Z", true),
        ("speed.observedAt>=2024-06-01T11:59:00Z", true), ("speed.observedAt>2024-06-01T11:59:00Z", false),
        ("modifiedAt>2024-05-01T00:00:00Z", true), (#"createdAt<"2023-01-01T00:00:00Z""#, false),
        ("departure>2026-02-15", true), ("departure<2026-03-01", false), ("departure>12:00:00Z", false),
        // compound values
        (#"address[city]=="Shiojiri""#, true), (#"address[city]=="Matsumoto""#, false),
        (#"address[postcode]!="x""#, false), ("address[geo.floor]==3", true), ("address[geo][floor]>2", true),
        (#"address=="Shiojiri""#, false), (#"address!="Shiojiri""#, true),
        ("sensor.rawdata[airquality.particulate]==40", true), ("sensor.rawdata[airquality.missing]==40", false),
        (#"ticket[value]=="Overstay 60 minutes""#, true), (#"ticket[id]=="85a6""#, true),
        // LanguageProperty
        (#"label=="rouge""#, true), (#"label[en]=="red""#, true), (#"label[en]=="rouge""#, false),
        (#"label[EN]=="red""#, true), (#"label[*]=="rouge""#, true), (#"label[de]=="rot""#, false),
        (#"label[*]!="red""#, false), (#"label[*]!="blau""#, true), (#"label[en]!="rouge""#, true),
        (#"names[en]=="cat""#, true), (#"names[en]=="chat""#, false), (#"names[fr]!="rouge""#, false),
        // VocabProperty (stored expanded), Relationship, ListRelationship, ListProperty
        ("category==https://example.org/commercial", true), ("category==commercial", false),
        (#"isParked=="urn:ngsi-ld:OffStreetParking:Downtown1""#, true),
        ("isParked==urn:ngsi-ld:OffStreetParking:Downtown1", true), ("isParked!=urn:ngsi-ld:X", true),
        (#"isParked>"urn:a""#, false), (#"isParked~="urn.*""#, false),
        ("isParked.providedBy==urn:ngsi-ld:Person:Bob", true), ("isParked.observedAt>2024-01-01T00:00:00Z", true),
        ("passengers==urn:ngsi-ld:Person:B", true), ("passengers!=urn:ngsi-ld:Person:B", false),
        ("passengers==urn:ngsi-ld:Person:C", false), ("readings==5", true), ("readings>8", true),
        ("readings==2..4", false),
        // logic
        ("speed>50;brandName!=\"BMW\"", true), ("(speed>100|route==\"550\");active==true", true),
        ("speed>100|route==\"551\"", false), ("!heading;speed>25", true), ("a|b|speed", true), ("speed;heading", false),
    ]

    @Test(arguments: cases)
    func evaluatesQuery(_ q: String, _ expected: Bool) throws {
        #expect(try QueryExpression.parse(q).matches(Self.vehicle) == expected)
    }

    static let station = fixtureEntity([
        "id": "urn:ngsi-ld:WeatherStation:123", "type": ["WeatherStation"],
        "sensor": [["type": "Relationship", "object": ["urn:ngsi-ld:Device:1", "urn:ngsi-ld:Device:345"]]],
        "owner": [["type": "Relationship", "object": "urn:ngsi-ld:Person:Ann"]],
    ])

    static let linked: [String: Entity] = [
        "urn:ngsi-ld:Device:1": fixtureEntity([
            "id": "urn:ngsi-ld:Device:1", "type": ["Sensor"], "humidity": [["type": "Property", "value": 10]],
        ]),
        "urn:ngsi-ld:Device:345": fixtureEntity([
            "id": "urn:ngsi-ld:Device:345", "type": ["Device"], "humidity": [["type": "Property", "value": 40]],
            "owner": [["type": "Relationship", "object": "urn:ngsi-ld:Person:Ann"]],
        ]),
        "urn:ngsi-ld:Person:Ann": fixtureEntity([
            "id": "urn:ngsi-ld:Person:Ann", "type": ["Person"], "age": [["type": "Property", "value": 35]],
        ]),
    ]

    static let linkedCases: [(String, Bool)] = [
        ("sensor{humidity}==40", true), ("sensor{humidity}==50", false), ("sensor{Device:humidity}==40", true),
        ("sensor{Vehicle:humidity}==40", false), ("sensor{Sensor:humidity}<20", true), ("sensor{owner{age}}>30", true),
        ("sensor{owner{age>40}}", false), ("owner{age>30;age<40}", true), ("sensor{humidity>5;humidity<20}", true),
        ("missing{humidity}", false), ("sensor{humidity}==40;owner{age}==35", true),
    ]

    @Test(arguments: linkedCases)
    func followsLinkedEntities(_ q: String, _ expected: Bool) throws {
        let query = try QueryExpression.parse(q)
        #expect(query.containsLinkedEntityTerms)
        #expect(query.matches(Self.station) { Self.linked[$0] } == expected)
        #expect(!query.matches(Self.station))
    }

    @Test func linkedLookupsAreBounded() throws {
        let cyclic = fixtureEntity([
            "id": "urn:a", "type": ["Node"],
            "r": [["type": "Relationship", "object": ["urn:a", "urn:a", "urn:a"]]],
        ])
        let q = try QueryExpression.parse(String(repeating: "r{", count: 20) + "v" + String(repeating: "}", count: 20))
        var lookups = 0
        #expect(
            !q.matches(cyclic) { _ in
                lookups += 1
                return cyclic
            }
        )
        #expect(lookups == QueryExpression.linkedEntityLookupLimit)
    }
}
