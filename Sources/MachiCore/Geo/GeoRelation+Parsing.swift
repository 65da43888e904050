extension GeoRelation {
    /// Parses `georel` (ETSI GS CIM 009 4.10): `near;maxDistance==d`, `near;minDistance==d`, `within`,
    /// `contains`, `intersects`, `equals`, `disjoint` or `overlaps`. Distances are metres: RFC 8259 numbers,
    /// positive and finite.
    ///
    /// The 4.10 grammar allows exactly one distance modifier; `allowsCombinedDistances` also accepts both
    /// (`near;maxDistance==1000;minDistance==10`, in either order), a ring around the reference geometry.
    /// - Throws: `NGSIError` `BadRequestData` saying what is wrong.
    public static func parse(_ georel: String, allowsCombinedDistances: Bool = false) throws(NGSIError) -> GeoRelation {
        switch georel {
        case "within": return .within
        case "contains": return .contains
        case "intersects": return .intersects
        case "equals": return .equals
        case "disjoint": return .disjoint
        case "overlaps": return .overlaps
        default: break
        }
        let parts = georel.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.first == "near" else {
            throw .badRequestData(
                "georel \"\(georel)\" is not near;maxDistance==…, near;minDistance==…, within, contains, intersects, "
                    + "equals, disjoint or overlaps"
            )
        }
        guard parts.count >= 2 else { throw .badRequestData("georel near needs ;maxDistance==… or ;minDistance==…") }
        guard parts.count == 2 || (allowsCombinedDistances && parts.count == 3) else {
            throw .badRequestData("georel near takes exactly one distance modifier")
        }
        var maxDistance: Double?
        var minDistance: Double?
        for part in parts.dropFirst() {
            let pieces = part.split(separator: "==", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2 else {
                throw .badRequestData("georel near: \"\(part)\" is not maxDistance==… or minDistance==…")
            }
            let text = String(pieces[1])
            guard !text.hasPrefix("-"), QueryParser.isJSONNumber(text), let distance = Double(text),
                distance.isFinite, distance > 0
            else { throw .badRequestData("georel near: the distance \"\(text)\" must be a positive number of metres") }
            switch pieces[0] {
            case "maxDistance" where maxDistance == nil: maxDistance = distance
            case "minDistance" where minDistance == nil: minDistance = distance
            default: throw .badRequestData("georel near: \"\(pieces[0])\" is not maxDistance or minDistance, once each")
            }
        }
        return .near(maxDistance: maxDistance, minDistance: minDistance)
    }
}

extension GeoQuery {
    /// Parses the parameters of a geo-query (ETSI GS CIM 009 4.10) into a query on the short `geoproperty`;
    /// expand it with `expanded(_:)`.
    ///
    /// ```swift
    /// let geo = try GeoQuery.parse(georel: "near;maxDistance==2000", geometry: "Point", coordinates: "[8,40]")
    ///     .expanded { context.expand($0) }
    /// ```
    /// - Throws: `NGSIError` `BadRequestData` from `GeoRelation.parse(_:allowsCombinedDistances:)` or
    ///   `Geometry.parse(geometry:coordinates:)`.
    public static func parse(
        georel: String,
        geometry: String,
        coordinates: String,
        geoproperty: String = "location"
    ) throws(NGSIError) -> GeoQuery {
        let relation = try GeoRelation.parse(georel)
        return GeoQuery(
            relation: relation,
            geometry: try Geometry.parse(geometry: geometry, coordinates: coordinates),
            geoproperty: geoproperty
        )
    }
}
