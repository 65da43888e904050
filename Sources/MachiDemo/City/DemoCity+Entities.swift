public import MachiCore
import OrderedCollections

/// The static city objects that are not devices, as normalized NGSI-LD entities (default core @context).
extension DemoCity {
    /// Bus stops (`GtfsStop`), routes (`GtfsRoute`) and the fixed data of shelters (`PointOfInterest`).
    ///
    /// Upserted with `options=update`, so a restart does not drop the live attributes the shelter devices added.
    public var staticEntities: [JSON] {
        var entities: [JSON] = []
        var seenStops: Set<String> = []
        for route in Self.routes {
            for stop in route.stops where seenStops.insert(stop.id).inserted {
                entities.append(
                    Self.entity(
                        type: "GtfsStop",
                        localID: stop.id,
                        [
                            "name": Self.property(.string(stop.name)),
                            "code": Self.property(.string(stop.code)),
                            "location": Self.geoProperty(stop.location.geoJSON),
                        ]
                    )
                )
            }
        }
        for route in Self.routes {
            let line: JSON = [
                "type": "LineString",
                "coordinates": .array(
                    route.polyline.points.map { [.number($0.longitude), .number($0.latitude)] }
                ),
            ]
            entities.append(
                Self.entity(
                    type: "GtfsRoute",
                    localID: route.id,
                    [
                        "shortName": Self.property(.string(route.shortName)),
                        "name": Self.property(.string(route.name)),
                        "routeType": Self.property("3"),
                        "routeColor": Self.property(.string(route.color)),
                        "location": Self.geoProperty(line),
                    ]
                )
            )
        }
        for shelter in Self.shelters {
            entities.append(
                Self.entity(
                    type: "PointOfInterest",
                    localID: shelter.id,
                    [
                        "name": Self.property(.string(shelter.name)),
                        "category": Self.property(["shelter"]),
                        "capacity": Self.property(.number(Double(shelter.capacity))),
                        "address": Self.property([
                            "addressCountry": "JP",
                            "addressRegion": "長野県",
                            "addressLocality": "塩尻市",
                            "streetAddress": .string(shelter.streetAddress),
                        ]),
                        "location": Self.geoProperty(shelter.location.geoJSON),
                    ]
                )
            )
        }
        return entities
    }

    static func entity(type: String, localID: String, _ attributes: JSONObject) -> JSON {
        var object: JSONObject = ["id": .string(Self.entityID(type: type, localID: localID)), "type": .string(type)]
        for (name, value) in attributes { object[name] = value }
        return .object(object)
    }

    static func property(_ value: JSON) -> JSON { ["type": "Property", "value": value] }

    static func geoProperty(_ value: JSON) -> JSON { ["type": "GeoProperty", "value": value] }
}
