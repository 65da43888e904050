import OrderedCollections

extension Geometry {
    /// Reads and validates a GeoJSON geometry object (RFC 7946), e.g. the value of a GeoProperty.
    ///
    /// Positions are 2 or 3 finite numbers with the longitude in [-180, 180] and the latitude in [-90, 90];
    /// a LineString has at least 2 positions; a polygon ring at least 4 and is closed; no geometry is empty.
    /// Members other than `type` and `coordinates` (such as `bbox`) are ignored.
    /// - Throws: `NGSIError` `BadRequestData` saying what is wrong and where.
    public init(geoJSON: JSON) throws(NGSIError) {
        guard case .object(let object) = geoJSON else {
            throw .badRequestData("A GeoJSON geometry must be an object, not \(geoJSON.kindName)")
        }
        guard let type = object["type"]?.stringValue else {
            throw .badRequestData("A GeoJSON geometry needs a string type")
        }
        guard let coordinates = object["coordinates"] else {
            throw .badRequestData("The GeoJSON \(type) has no coordinates")
        }
        self = try Geometry(type: type, coordinates: coordinates)
    }

    /// Reads the reference geometry of a geo-query from its query parameters (ETSI GS CIM 009 4.10), e.g.
    /// `geometry=Point&coordinates=[139.7671,35.6812]`, already URL-decoded.
    ///
    /// The geometry type is matched case-insensitively; GeometryCollection is not supported (4.10).
    /// - Throws: `NGSIError` `BadRequestData` for an unknown type or invalid coordinates.
    public static func parse(geometry: String, coordinates: String) throws(NGSIError) -> Geometry {
        guard let type = typeNames.first(where: { $0.lowercased() == geometry.lowercased() }) else {
            throw .badRequestData(
                "geometry \"\(geometry)\" is not one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon"
            )
        }
        let json: JSON
        do {
            json = try JSONParser.parse(coordinates, limits: JSONParser.Limits(maxDepth: 8))
        } catch {
            throw .badRequestData("coordinates is not a JSON array: \(error)")
        }
        return try Geometry(type: type, coordinates: json)
    }

    /// The GeoJSON geometry object, as `init(geoJSON:)` reads it.
    public var geoJSON: JSON {
        let coordinates: JSON =
            switch self {
            case .point(let p): Self.json(p)
            case .multiPoint(let ps), .lineString(let ps): .array(ps.map(Self.json))
            case .multiLineString(let lines), .polygon(let lines): .array(lines.map { .array($0.map(Self.json)) })
            case .multiPolygon(let polygons): .array(polygons.map { .array($0.map { .array($0.map(Self.json)) }) })
            }
        return ["type": .string(typeName), "coordinates": coordinates]
    }

    /// The GeoJSON type name, e.g. `MultiPolygon`.
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .multiPoint: "MultiPoint"
        case .lineString: "LineString"
        case .multiLineString: "MultiLineString"
        case .polygon: "Polygon"
        case .multiPolygon: "MultiPolygon"
        }
    }

    static let typeNames = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]

    private static func json(_ p: Position) -> JSON {
        var numbers: [JSON] = [.number(p.longitude), .number(p.latitude)]
        if let altitude = p.altitude { numbers.append(.number(altitude)) }
        return .array(numbers)
    }

    private init(type: String, coordinates: JSON) throws(NGSIError) {
        switch type {
        case "Point":
            self = .point(try Self.position(coordinates, at: "coordinates"))
        case "MultiPoint":
            self = .multiPoint(try Self.positions(coordinates, at: "coordinates", minimum: 1))
        case "LineString":
            self = .lineString(try Self.positions(coordinates, at: "coordinates", minimum: 2))
        case "MultiLineString":
            let lines = try Self.elements(coordinates, at: "coordinates")
            var result: [[Position]] = []
            for (i, line) in lines.enumerated() {
                result.append(try Self.positions(line, at: "coordinates[\(i)]", minimum: 2))
            }
            self = .multiLineString(result)
        case "Polygon":
            self = .polygon(try Self.rings(coordinates, at: "coordinates"))
        case "MultiPolygon":
            let polygons = try Self.elements(coordinates, at: "coordinates")
            var result: [[[Position]]] = []
            for (i, polygon) in polygons.enumerated() {
                result.append(try Self.rings(polygon, at: "coordinates[\(i)]"))
            }
            self = .multiPolygon(result)
        case "GeometryCollection":
            throw .badRequestData("GeometryCollection is not supported")
        default:
            throw .badRequestData("\"\(type)\" is not a GeoJSON geometry type")
        }
    }

    private static func elements(_ json: JSON, at path: String) throws(NGSIError) -> [JSON] {
        guard case .array(let elements) = json else {
            throw .badRequestData("\(path) must be an array, not \(json.kindName)")
        }
        guard !elements.isEmpty else { throw .badRequestData("\(path) must not be empty") }
        return elements
    }

    private static func position(_ json: JSON, at path: String) throws(NGSIError) -> Position {
        guard case .array(let numbers) = json, numbers.count == 2 || numbers.count == 3 else {
            throw .badRequestData("\(path) must be a position: an array of 2 or 3 numbers")
        }
        var values: [Double] = []
        for number in numbers {
            guard let value = number.numberValue, value.isFinite else {
                throw .badRequestData("\(path) must be a position: an array of 2 or 3 numbers")
            }
            values.append(value)
        }
        guard (-180...180).contains(values[0]) else {
            throw .badRequestData("\(path) has the longitude \(values[0]), outside [-180, 180]")
        }
        guard (-90...90).contains(values[1]) else {
            throw .badRequestData("\(path) has the latitude \(values[1]), outside [-90, 90]")
        }
        return Position(longitude: values[0], latitude: values[1], altitude: values.count == 3 ? values[2] : nil)
    }

    private static func positions(_ json: JSON, at path: String, minimum: Int) throws(NGSIError) -> [Position] {
        let elements = try elements(json, at: path)
        guard elements.count >= minimum else {
            throw .badRequestData("\(path) needs at least \(minimum) positions, not \(elements.count)")
        }
        var result: [Position] = []
        result.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            result.append(try position(element, at: "\(path)[\(i)]"))
        }
        return result
    }

    private static func rings(_ json: JSON, at path: String) throws(NGSIError) -> [[Position]] {
        var rings: [[Position]] = []
        for (i, element) in try elements(json, at: path).enumerated() {
            let ring = try positions(element, at: "\(path)[\(i)]", minimum: 4)
            guard let first = ring.first, let last = ring.last,
                first.longitude == last.longitude, first.latitude == last.latitude
            else { throw .badRequestData("\(path)[\(i)] is a linear ring and must end with its first position") }
            rings.append(ring)
        }
        return rings
    }
}
