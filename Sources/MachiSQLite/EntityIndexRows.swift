import MachiCore

/// The index rows of one entity: what `entity_type`, `attr`, `attr_num`, `attr_str`, `geo_box` and the type
/// counters hold for it. A pure value, computed from the entity alone, so an update can compare old and new rows
/// and write only the difference, and a delete can remove exactly the rows it finds here.
struct EntityIndexRows: Equatable {
    /// One `attr_num` row: a number (or Boolean, as 1/0) somewhere in a value of the attribute.
    struct NumberValue: Hashable {
        var name: String
        var number: Double
    }

    /// One `attr_str` row: a string somewhere in a value of the attribute.
    struct StringValue: Hashable {
        var name: String
        var string: String
    }

    /// One R*Tree entry; its position in `geo` is its ordinal in the entry's id (see `GeoBoxID`).
    struct GeoEntry: Hashable {
        var name: String
        var box: BoundingBox
    }

    /// A `type_attr_stat` key.
    struct TypeAttribute: Hashable {
        var type: String
        var name: String
        var kind: String
    }

    struct AttributeNameKind: Hashable {
        var name: String
        var kind: String
    }

    /// The entity's types, without duplicates.
    var types: [String]
    /// The names of attributes with at least one instance.
    var attributeNames: [String]
    /// Without duplicates (the tables hold sets), in order of first appearance.
    var numbers: [NumberValue]
    /// Without duplicates, in order of first appearance.
    var strings: [StringValue]
    var geo: [GeoEntry]
    /// Attribute name and kind pairs, without duplicates.
    var kinds: [AttributeNameKind]

    init(_ entity: Entity) {
        var seenTypes = Set<String>()
        types = entity.types.filter { seenTypes.insert($0).inserted }
        var attributeNames: [String] = []
        var numbers: [NumberValue] = []
        var strings: [StringValue] = []
        var seenNumbers = Set<NumberValue>()
        var seenStrings = Set<StringValue>()
        var geo: [GeoEntry] = []
        var kinds: [AttributeNameKind] = []
        var seenKinds = Set<AttributeNameKind>()
        // `forEach` (standard library) rather than `for in`: this target does not import OrderedCollections,
        // whose `makeIterator()` a for-in loop over `OrderedDictionary` needs.
        // swift-format-ignore: ReplaceForEachWithForLoop
        entity.attributes.forEach { name, instances in
            if !instances.isEmpty { attributeNames.append(name) }
            for instance in instances {
                let members = JSON.object(instance.members)
                let pair = AttributeNameKind(name: name, kind: members["type"]?.stringValue ?? "")
                if seenKinds.insert(pair).inserted { kinds.append(pair) }
                if instance.kind == .geoProperty, let value = members["value"],
                    let box = try? Geometry(geoJSON: value).boundingBox, box.isIndexable
                {
                    geo.append(GeoEntry(name: name, box: box))
                }
                // An unknown kind is evaluated by whichever value member it has, so index them all.
                for member in instance.kind.map({ [$0.valueMember] }) ?? Self.allValueMembers {
                    guard let value = members[member] else { continue }
                    Self.scalars(of: value, depth: 0, languageMap: member == "languageMap") { number, string in
                        if let number {
                            let row = NumberValue(name: name, number: number)
                            if seenNumbers.insert(row).inserted { numbers.append(row) }
                        }
                        if let string {
                            let row = StringValue(name: name, string: string)
                            if seenStrings.insert(row).inserted { strings.append(row) }
                        }
                    }
                }
            }
        }
        self.attributeNames = attributeNames
        self.numbers = numbers
        self.strings = strings
        self.geo = geo
        self.kinds = kinds
    }

    /// Every kind's value member, once each, in a fixed order.
    static let allValueMembers: [String] = AttributeKind.allCases.map(\.valueMember).reduce(into: []) { members, name in
        if !members.contains(name) { members.append(name) }
    }

    /// The scalars a `q` comparison can match in a target value: a number, a string, a Boolean (as 1/0); the
    /// elements of arrays at any depth; JSON-LD `@value`, `@id` and `@list` objects; the `object` of a
    /// ListRelationship element; the strings of a language map. Other objects are compound values, reached
    /// only by compound paths, which the SQL pre-filter does not translate.
    static func scalars(of value: JSON, depth: Int, languageMap: Bool, _ emit: (Double?, String?) -> Void) {
        guard depth < 64 else { return }
        switch value {
        case .number(let number): emit(number, nil)
        case .string(let string): emit(nil, string)
        case .bool(let bool): emit(bool ? 1 : 0, nil)
        case .null: break
        case .array(let elements):
            for element in elements { scalars(of: element, depth: depth + 1, languageMap: false, emit) }
        case .object(let object):
            if languageMap {
                // {"en": "Tower", "ja": ["塔"]}; `forEach` as above.
                // swift-format-ignore: ReplaceForEachWithForLoop
                object.forEach { scalars(of: $0.value, depth: depth + 1, languageMap: false, emit) }
            } else if let inner = value["@value"] ?? value["@id"] ?? value["@list"] ?? value["object"] {
                scalars(of: inner, depth: depth + 1, languageMap: false, emit)
            }
        }
    }

    /// How `type_stat` changes when an entity's rows go from `old` to `new`.
    static func typeDeltas(from old: EntityIndexRows?, to new: EntityIndexRows?) -> [String: Int] {
        var deltas: [String: Int] = [:]
        for type in old?.types ?? [] { deltas[type, default: 0] -= 1 }
        for type in new?.types ?? [] { deltas[type, default: 0] += 1 }
        return deltas.filter { $0.value != 0 }
    }

    /// How `type_attr_stat` changes when an entity's rows go from `old` to `new`.
    static func typeAttributeDeltas(from old: EntityIndexRows?, to new: EntityIndexRows?) -> [TypeAttribute: Int] {
        var deltas: [TypeAttribute: Int] = [:]
        func add(_ rows: EntityIndexRows?, _ sign: Int) {
            guard let rows else { return }
            for type in rows.types {
                for pair in rows.kinds {
                    deltas[TypeAttribute(type: type, name: pair.name, kind: pair.kind), default: 0] += sign
                }
            }
        }
        add(old, -1)
        add(new, 1)
        return deltas.filter { $0.value != 0 }
    }
}
