import MachiCore
import Testing

struct QueryParserTests {
    static let validQueries: [(String, QueryExpression)] = [
        ("temperature", queryTerm("temperature")),
        ("temperature==20", queryTerm("temperature", .equal(.number(20)))),
        (#"brandName!="Mercedes""#, queryTerm("brandName", .notEqual(.string("Mercedes")))),
        (
            #"isParked=="urn:ngsi-ld:OffStreetParking:Downtown1""#,
            queryTerm("isParked", .equal(.string("urn:ngsi-ld:OffStreetParking:Downtown1")))
        ),
        (
            "isParked==urn:ngsi-ld:OffStreetParking:Downtown1",
            queryTerm("isParked", .equal(.uri("urn:ngsi-ld:OffStreetParking:Downtown1")))
        ),
        ("speed>50", queryTerm("speed", .greater(.number(50)))),
        ("speed>=5", queryTerm("speed", .greaterOrEqual(.number(5)))),
        ("speed<-3.5e2", queryTerm("speed", .less(.number(-350)))),
        ("speed<=0.25", queryTerm("speed", .lessOrEqual(.number(0.25)))),
        (
            #"speed>50;brandName!="Mercedes""#,
            .and([queryTerm("speed", .greater(.number(50))), queryTerm("brandName", .notEqual(.string("Mercedes")))])
        ),
        ("a==1|b==2", .or([queryTerm("a", .equal(.number(1))), queryTerm("b", .equal(.number(2)))])),
        (
            "a==1;b==2|c==3",
            .or([
                .and([queryTerm("a", .equal(.number(1))), queryTerm("b", .equal(.number(2)))]),
                queryTerm("c", .equal(.number(3))),
            ])
        ),
        (
            "a==1|b==2;c==3",
            .or([
                queryTerm("a", .equal(.number(1))),
                .and([queryTerm("b", .equal(.number(2))), queryTerm("c", .equal(.number(3)))]),
            ])
        ),
        (
            "(a==1|b==2);c==3",
            .and([
                .or([queryTerm("a", .equal(.number(1))), queryTerm("b", .equal(.number(2)))]),
                queryTerm("c", .equal(.number(3))),
            ])
        ),
        (
            #"((speed>50|rpm>3000);brandName=="Mercedes")"#,
            .and([
                .or([queryTerm("speed", .greater(.number(50))), queryTerm("rpm", .greater(.number(3000)))]),
                queryTerm("brandName", .equal(.string("Mercedes"))),
            ])
        ),
        (
            "(temperature>=20;temperature<=25)|capacity<=10",
            .or([
                .and([
                    queryTerm("temperature", .greaterOrEqual(.number(20))),
                    queryTerm("temperature", .lessOrEqual(.number(25))),
                ]), queryTerm("capacity", .lessOrEqual(.number(10))),
            ])
        ),
        ("a;b;c", .and([queryTerm("a"), queryTerm("b"), queryTerm("c")])),
        ("a;(b;c)", .and([queryTerm("a"), queryTerm("b"), queryTerm("c")])),
        (
            "temperature.observedAt>=2017-12-24T12:00:00Z",
            queryTerm("temperature", .greaterOrEqual(.dateTime("2017-12-24T12:00:00Z")), sub: ["observedAt"])
        ),
        ("modifiedAt>2020-01-01", queryTerm("modifiedAt", .greater(.dateTime("2020-01-01")))),
        ("opening<12:30:00Z", queryTerm("opening", .less(.dateTime("12:30:00Z")))),
        (#"modifiedAt>"2020-01-01T00:00:00Z""#, queryTerm("modifiedAt", .greater(.string("2020-01-01T00:00:00Z")))),
        ("sensor.rawdata.unitCode==CEL", queryTerm("sensor", .equal(.uri("CEL")), sub: ["rawdata", "unitCode"])),
        (#"address[city]=="Berlin""#, queryTerm("address", .equal(.string("Berlin")), compound: ["city"])),
        (
            "sensor.rawdata[airquality.particulate]==40",
            queryTerm("sensor", .equal(.number(40)), sub: ["rawdata"], compound: ["airquality", "particulate"])
        ),
        ("data[a][b]>1", queryTerm("data", .greater(.number(1)), compound: ["a", "b"])),
        (
            #"parkingTickets[value]=="Overstay 60 minutes""#,
            queryTerm("parkingTickets", .equal(.string("Overstay 60 minutes")), compound: ["value"])
        ),
        (#"color[en]=="red""#, queryTerm("color", .equal(.string("red")), compound: ["en"])),
        (#"color[*]!="red""#, queryTerm("color", .notEqual(.string("red")), compound: ["*"])),
        ("address[city]", queryTerm("address", compound: ["city"])),
        ("temperature==10..20", queryTerm("temperature", .equal(.range(.number(10), .number(20))))),
        ("speed!=10..40", queryTerm("speed", .notEqual(.range(.number(10), .number(40))))),
        (#"name=="a".."m""#, queryTerm("name", .equal(.range(.string("a"), .string("m"))))),
        (
            "at==2018-01-01T00:00:00Z..2018-12-31T23:59:59Z",
            queryTerm("at", .equal(.range(.dateTime("2018-01-01T00:00:00Z"), .dateTime("2018-12-31T23:59:59Z"))))
        ),
        (#"color=="black","red""#, queryTerm("color", .equal(.list([.string("black"), .string("red")])))),
        (#"color=="black", "red""#, queryTerm("color", .equal(.list([.string("black"), .string("red")])))),
        ("level==1,2,3", queryTerm("level", .equal(.list([.number(1), .number(2), .number(3)])))),
        ("ref==urn:a,urn:b", queryTerm("ref", .equal(.list([.uri("urn:a"), .uri("urn:b")])))),
        ("almostFull==false", queryTerm("almostFull", .equal(.bool(false)))),
        (
            "active==true;speed>1",
            .and([queryTerm("active", .equal(.bool(true))), queryTerm("speed", .greater(.number(1)))])
        ),
        (#"name~="^m""#, queryTerm("name", .matches("^m"))),
        (#"name!~="^Eiffel""#, queryTerm("name", .notMatches("^Eiffel"))),
        ("name~=(a|b)c.*;x==1", .and([queryTerm("name", .matches("(a|b)c.*")), queryTerm("x", .equal(.number(1)))])),
        (#"name~="\d+\"x""#, queryTerm("name", .matches(#"\d+"x"#))),
        (#"name=="say \"hi\"\n\u00e9""#, queryTerm("name", .equal(.string("say \"hi\"\né")))),
        ("!heading;speed>25", .and([.not(queryTerm("heading")), queryTerm("speed", .greater(.number(25)))])),
        ("!a.observedAt", .not(queryTerm("a", sub: ["observedAt"]))),
        (
            "sensor{humidity}==40",
            .linked(relationship: "sensor", entityTypes: [], query: queryTerm("humidity", .equal(.number(40))))
        ),
        (
            "sensor{Device:humidity}==40",
            .linked(relationship: "sensor", entityTypes: ["Device"], query: queryTerm("humidity", .equal(.number(40))))
        ),
        (
            "sensor{Device,Sensor:humidity}",
            .linked(relationship: "sensor", entityTypes: ["Device", "Sensor"], query: queryTerm("humidity"))
        ),
        (
            #"owner{works{name}}=="x""#,
            .linked(
                relationship: "owner",
                entityTypes: [],
                query: .linked(relationship: "works", entityTypes: [], query: queryTerm("name", .equal(.string("x"))))
            )
        ),
        (
            "owner{age>30;name}",
            .linked(
                relationship: "owner",
                entityTypes: [],
                query: .and([queryTerm("age", .greater(.number(30))), queryTerm("name")])
            )
        ),
        ("ngsi-ld:name==x", queryTerm("ngsi-ld:name", .equal(.uri("x")))),
        ("温度>20", queryTerm("温度", .greater(.number(20)))),
        (" speed > 5 ; a ", .and([queryTerm("speed", .greater(.number(5))), queryTerm("a")])),
    ]

    @Test(arguments: validQueries)
    func parsesValidQuery(_ q: String, _ expected: QueryExpression) throws {
        #expect(try QueryExpression.parse(q) == expected)
    }

    /// Forms that the ETSI test suite and real clients send (URL-decoded).
    @Test(arguments: [
        "speed>50", "speed>=5;heading<90", #"speed>25|name~="^m""#, "speed!=10", "!heading;speed>25", "speed==10..40",
        #"route=="550","551""#, #"ref=="urn:dest:qp1""#, #"tags=="a""#, #"label[*]=="bonjour""#, #"label[en]=="hello""#,
        "category==commercial", #"owner{name}=="x""#, #"owner{works{name}}=="x""#, "isConnectedTo{batteryLevel}<0.5",
        #"managedBy{Building:name}=="Pisa Tower""#, #"modifiedAt>"2020-01-01T00:00:00Z""#, "notanumber",
        #"(name=="Pisa Tower"|name=="Eiffel Tower");almostFull==false"#, "airQualityLevel>=4;airQualityLevel<7",
        "locatedIn==urn:ngsi-ld:City:Pisa|locatedIn==urn:ngsi-ld:City:Paris", #"name!="Eiffel Tower","Big Ben""#,
        #"(speed>25|route=="551");active==true"#, #"departure>"2026-02-15T00:00:00Z""#, "snapshotPriority<5",
    ])
    func parsesRealClientForm(_ q: String) throws {
        _ = try QueryExpression.parse(q)
    }

    static let invalidQueries: [(String, NGSIError.Code)] = [
        ("", .badRequestData),
        ("   ", .badRequestData),
        ("speed>", .badRequestData),
        ("speed==", .badRequestData),
        ("speed=5", .badRequestData),
        ("speed>>5", .badRequestData),
        ("==5", .badRequestData),
        ("5==speed", .badRequestData),
        ("speed>5;", .badRequestData),
        (";speed>5", .badRequestData),
        ("a||b", .badRequestData),
        ("(a==1", .badRequestData),
        ("a==1)", .badRequestData),
        ("()", .badRequestData),
        (#"name=="Eiffel"#, .badRequestData),
        (#"name=="bad \q escape""#, .badRequestData),
        ("speed>4..5", .badRequestData),
        ("speed>1,2", .badRequestData),
        ("speed>true", .badRequestData),
        ("speed>abc", .badRequestData),
        ("a==1..2,3", .badRequestData),
        (#"a==1.."x""#, .badRequestData),
        ("a==1..", .badRequestData),
        ("a==1e400", .badRequestData),
        ("a[", .badRequestData),
        ("a[]==1", .badRequestData),
        ("a[b].c==1", .badRequestData),
        ("a.==1", .badRequestData),
        (#"name~="[""#, .badRequestData),
        ("name~=", .badRequestData),
        ("!a==1", .badRequestData),
        ("!(a)", .badRequestData),
        ("!r{a}", .badRequestData),
        ("owner{name", .badRequestData),
        ("owner{}", .badRequestData),
        ("owner{a;b}==1", .badRequestData),
        ("a}", .badRequestData),
        ("a==<x>", .badRequestData),
        ("a b", .badRequestData),
        (String(repeating: "a", count: 4_097), .tooComplexQuery),
        (String(repeating: "(", count: 40) + "a" + String(repeating: ")", count: 40), .tooComplexQuery),
        (Array(repeating: "a", count: 257).joined(separator: ";"), .tooComplexQuery),
    ]

    @Test(arguments: invalidQueries)
    func rejectsInvalidQuery(_ q: String, _ code: NGSIError.Code) {
        #expect(throws: NGSIError(code, "")) { try QueryExpression.parse(q) }
    }

    @Test func errorSaysWhere() {
        do {
            _ = try QueryExpression.parse("speed>5;brand=x")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .badRequestData)
            #expect(error.detail.contains("position 14"))
            #expect(error.detail.contains("'='"))
        }
    }

    @Test func limitsAreConfigurable() throws {
        let limits = QueryLimits(maxLength: 10, maxDepth: 1, maxTerms: 2)
        #expect(throws: NGSIError(.tooComplexQuery, "")) { try QueryExpression.parse("a;b;c", limits: limits) }
        #expect(throws: NGSIError(.tooComplexQuery, "")) { try QueryExpression.parse("((a))", limits: limits) }
        #expect(throws: NGSIError(.tooComplexQuery, "")) { try QueryExpression.parse("abcdefghijk", limits: limits) }
        #expect(try QueryExpression.parse("(a);b", limits: limits) == .and([queryTerm("a"), queryTerm("b")]))
    }
}
