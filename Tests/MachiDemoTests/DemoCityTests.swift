import MachiCore
import MachiDemo
import OrderedCollections
import Testing

struct DemoCityTests {
    let city = DemoCity(usesMQTT: true)

    static func isInShiojiri(_ point: GeoPoint) -> Bool {
        (137.85...138.05).contains(point.longitude) && (36.0...36.2).contains(point.latitude)
    }

    @Test func deviceIDsEntityIDsAndAPIKeysAreUnique() {
        let ids = self.city.devices.map(\.id)
        #expect(Set(ids).count == ids.count)
        let apikeys = self.city.groups.map(\.apikey)
        #expect(Set(apikeys).count == apikeys.count)
        #expect(apikeys.count == DeviceFamily.allCases.count)
        // Only the shelter meter and counter share an entity (the shelter), one pair per shelter.
        let entities = Dictionary(grouping: self.city.devices, by: \.entityID)
        for (entity, devices) in entities where devices.count > 1 {
            #expect(devices.count == 2 && Set(devices.map(\.family)) == [.shelterMeter, .shelterCounter], "\(entity)")
        }
        let staticIDs = self.city.staticEntities.compactMap { $0["id"]?.stringValue }
        #expect(Set(staticIDs).count == staticIDs.count)
    }

    @Test func deviceCountsMatchTheScenario() {
        #expect(self.city.devices(of: .bridge).count == 48)
        #expect(self.city.devices(of: .trap).count == DemoCity.traps.count)
        #expect(self.city.devices(of: .bus).count == 4)
        #expect(self.city.devices(of: .river).count == DemoCity.rivers.count)
        #expect(DemoCity(usesMQTT: false, bridgeSensorCount: 12).devices(of: .bridge).count == 12)
    }

    @Test func entityIDsFollowThePattern() {
        let ids = self.city.devices.map(\.entityID) + self.city.staticEntities.compactMap { $0["id"]?.stringValue }
        for id in ids {
            let parts = id.split(separator: ":", omittingEmptySubsequences: false)
            #expect(parts.count == 5, "\(id)")
            #expect(parts.prefix(2) == ["urn", "ngsi-ld"], "\(id)")
            #expect(parts[3] == "shiojiri", "\(id)")
            #expect(!parts[4].isEmpty && !parts[4].contains(" "), "\(id)")
        }
        for device in self.city.devices {
            #expect(device.entityID.hasPrefix("urn:ngsi-ld:\(device.entityType):shiojiri:"))
        }
    }

    @Test func everyPlaceIsInShiojiri() {
        var points: [GeoPoint] = DemoCity.rivers.map(\.location) + DemoCity.soilStations.map(\.location)
        points += DemoCity.traps.map(\.location) + DemoCity.shelters.map(\.location)
        points += DemoCity.routes.flatMap { $0.waypoints.map(\.point) }
        points += DemoCity.weatherStations.map(\.location) + DemoCity.airStations.map(\.location)
        for device in self.city.devices {
            for attribute in device.staticAttributes where attribute.type == .geoJSON {
                let coordinates = attribute.value["coordinates"]?.arrayValue ?? []
                points.append(
                    GeoPoint(
                        longitude: coordinates.first?.numberValue ?? 0,
                        latitude: coordinates.last?.numberValue ?? 0
                    )
                )
            }
        }
        #expect(points.count > 80)
        for point in points { #expect(Self.isInShiojiri(point), "\(point)") }
    }

    @Test func everyAttributeHasAnObjectIDUniqueWithinItsDevice() {
        for device in self.city.devices {
            let objectIDs = device.attributes.map(\.objectID)
            #expect(!objectIDs.isEmpty, "\(device.id)")
            #expect(objectIDs.allSatisfy { !$0.isEmpty }, "\(device.id)")
            #expect(Set(objectIDs).count == objectIDs.count, "\(device.id)")
            let body = self.city.deviceBody(for: device)
            let attributes = body["devices"]?.arrayValue?.first?["attributes"]?.arrayValue ?? []
            #expect(attributes.count == device.attributes.count)
            #expect(attributes.allSatisfy { $0["object_id"]?.stringValue?.isEmpty == false })
        }
    }

    @Test func transportsMixWithMQTTAndFallBackToHTTPWithout() {
        let transports = Set(self.city.devices.map { "\($0.format.rawValue)/\($0.transport.rawValue)" })
        #expect(
            transports == [
                "PDI-IoTA-UltraLight/HTTP", "PDI-IoTA-UltraLight/MQTT", "IoTA-JSON/HTTP", "IoTA-JSON/MQTT",
            ]
        )
        #expect(DemoCity(usesMQTT: false).devices.allSatisfy { $0.transport == .http })
    }

    @Test func deviceBodyFollowsTheIoTAgentProvisioningAPI() throws {
        let trap = try #require(self.city.devices.first { $0.id == "trap-01" })
        let body = self.city.deviceBody(for: trap)
        let device = try #require(body["devices"]?.arrayValue?.first)
        #expect(device["device_id"] == "trap-01")
        #expect(device["entity_name"] == "urn:ngsi-ld:AnimalTrap:shiojiri:trap-01")
        #expect(device["entity_type"] == "AnimalTrap")
        #expect(device["protocol"] == "PDI-IoTA-UltraLight")
        #expect(device["transport"] == "MQTT")
        #expect(device["commands"] == [["name": "reset", "type": "command"]])
        let location = try #require(device["static_attributes"]?.arrayValue?.first { $0["name"] == "location" })
        #expect(location["type"] == "geo:json")
        #expect(location["value"]?["type"] == "Point")

        let river = try #require(self.city.devices.first { $0.family == .river })
        let height = self.city.deviceBody(for: river)["devices"]?.arrayValue?.first?["attributes"]?.arrayValue?.first
        #expect(
            height == [
                "object_id": "h", "name": "height", "type": "Number",
                "metadata": ["unitCode": ["type": "Text", "value": "MTR"]],
            ]
        )
        let bus = try #require(self.city.devices.first { $0.family == .bus })
        let route = self.city.deviceBody(for: bus)["devices"]?.arrayValue?.first?["static_attributes"]?.arrayValue?
            .first { $0["name"] == "routeId" }
        #expect(
            route == ["name": "routeId", "type": "Relationship", "value": "urn:ngsi-ld:GtfsRoute:shiojiri:route-1"]
        )
    }

    @Test func serviceBodyHasTheGroupFields() throws {
        let group = try #require(self.city.groups.first { $0.family == .soil })
        let service = try #require(self.city.serviceBody(for: group)["services"]?.arrayValue?.first)
        #expect(service["apikey"] == "shiojiri-soil")
        #expect(service["resource"] == "/iot/json")
        #expect(service["entity_type"] == "AgriParcelRecord")
    }

    @Test func staticEntitiesAreNormalizedNGSILD() throws {
        let entities = self.city.staticEntities
        let types = Dictionary(grouping: entities) { $0["type"]?.stringValue ?? "" }.mapValues(\.count)
        #expect(types["GtfsRoute"] == 2)
        #expect(types["PointOfInterest"] == DemoCity.shelters.count)
        #expect(types["GtfsStop"] == Set(DemoCity.routes.flatMap { $0.stops.map(\.id) }).count)
        for entity in entities {
            let object = try #require(entity.objectValue)
            for (name, attribute) in object where name != "id" && name != "type" {
                let type = attribute["type"]?.stringValue
                #expect(["Property", "GeoProperty", "Relationship"].contains(type), "\(name)")
                #expect(attribute["value"] != nil || attribute["object"] != nil, "\(name)")
            }
        }
        let shelter = try #require(entities.first { $0["id"] == "urn:ngsi-ld:PointOfInterest:shiojiri:shelter-01" })
        #expect(shelter["category"]?["value"] == ["shelter"])
        #expect(shelter["capacity"]?["value"] == 400)
        // Live attributes come from the devices, so a restart's upsert does not reset them.
        #expect(shelter["occupancy"] == nil && shelter["status"] == nil)
    }
}
