import MachiCore

/// A term on a path with an optional comparison.
func queryTerm(
    _ attribute: String,
    _ comparison: QueryComparison? = nil,
    sub: [String] = [],
    compound: [String] = []
) -> QueryExpression {
    .term(
        QueryTerm(
            path: AttributePath(attribute: attribute, subAttributes: sub, compound: compound),
            comparison: comparison
        )
    )
}

/// An entity from its stored form (`id`, `type`, attributes as arrays of instances); attribute names stay short,
/// as the queries in these tests are not expanded.
func fixtureEntity(_ storedForm: JSON) -> Entity {
    // Every fixture is a valid stored form.
    try! Entity(storedForm: storedForm)
}
