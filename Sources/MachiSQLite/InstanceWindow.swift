import Foundation
import GRDB
import MachiCore

/// The SQL that reads the attribute instances a temporal query may select from one entity: its attributes, its
/// time relation on the chosen time property (the same bounds as `TemporalQuery.Relation.contains`: a wider window
/// would let `lastN` pick instances the relation then rejects), and `lastN` per attribute with a window function
/// (only without a `datasetId` filter, which `lastN` must count after). Rows come in `seq` order.
struct InstanceWindow {
    let query: TemporalQuery

    init(_ query: TemporalQuery) { self.query = query }

    var column: String {
        switch query.timeProperty {
        case .observedAt: "observed_at"
        case .createdAt: "created_at"
        case .modifiedAt: "modified_at"
        }
    }

    func sql(entity: Int64) -> (String, StatementArguments) {
        var filter = "entity = ?"
        var arguments: StatementArguments = [entity]
        if let attributes = query.attributes {
            filter +=
                " AND name IN (SELECT id FROM term WHERE iri IN (\(attributes.map { _ in "?" }.joined(separator: ", "))))"
            arguments += StatementArguments(attributes.sorted())
        }
        switch query.relation {
        case .before(let end)?:
            filter += " AND \(column) < ?"
            arguments += [end.timeIntervalSince1970]
        case .after(let start)?:
            filter += " AND \(column) >= ?"
            arguments += [start.timeIntervalSince1970]
        case .between(let start, let end)?:
            filter += " AND \(column) >= ? AND \(column) < ?"
            arguments += [start.timeIntervalSince1970, end.timeIntervalSince1970]
        case nil:
            break
        }
        let selected: String
        if let lastN = query.lastN, query.datasetIds == nil {
            selected = """
                SELECT seq FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY name ORDER BY \(column) DESC, seq DESC) AS rn
                FROM attr_instance WHERE \(filter)) WHERE rn <= ?
                """
            arguments += [lastN]
        } else {
            selected = "SELECT seq FROM attr_instance WHERE \(filter)"
        }
        // The scope instances are read whole: one set before the window can still be valid in it (4.18).
        let scopes = "SELECT seq FROM attr_instance WHERE entity = ? AND name = (SELECT id FROM term WHERE iri = ?)"
        arguments += [entity, TemporalScope.name]
        let sql = """
            SELECT i.seq, t.iri, i.created_at, i.modified_at, i.doc FROM attr_instance i
            JOIN term t ON t.id = i.name WHERE i.seq IN (\(selected) UNION ALL \(scopes)) ORDER BY i.seq
            """
        return (sql, arguments)
    }
}
