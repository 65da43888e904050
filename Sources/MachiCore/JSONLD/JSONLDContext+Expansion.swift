extension JSONLDContext {
    /// Expands an attribute name or entity type to its IRI (JSON-LD IRI expansion relative to the vocabulary).
    ///
    /// - A term the context defines → its IRI (`location` → `https://uri.etsi.org/ngsi-ld/location`; `id` → `@id`).
    /// - A compact IRI whose prefix is a prefix term → expanded (`ngsi-ld:location`, `schema:name`).
    /// - An absolute IRI (`urn:…`, `https://…`) or a blank node → unchanged; so are keywords (`@id`).
    /// - Anything else → `@vocab` + term (`temperature` → `https://uri.etsi.org/ngsi-ld/default-context/temperature`).
    ///
    /// Unlike JSON-LD, which drops them, terms mapped to `null` and strings that merely look like keywords are kept:
    /// the first expand through `@vocab`, the second stay unchanged.
    public func expandTerm(_ term: String) -> String {
        if let definition = storage.terms[term], !definition.isReverse { return definition.iri }
        if term.hasPrefix("@"), IRI.isKeyword(term) || IRI.hasKeywordForm(term) { return term }
        return expandIRIForm(term, vocab: true)
    }

    /// Compacts an IRI to the short name a client of this context uses, the inverse of ``expandTerm(_:)``.
    ///
    /// In order, as JSON-LD IRI compaction does for vocabulary-relative IRIs: a term that maps to the IRI (the
    /// shortest, then lexicographically least, if several do); the IRI minus `@vocab`, if that suffix expands back to
    /// the same IRI (so not when a user term claims the suffix: the ETSI test suite's `almostFull` case); a compact
    /// IRI `prefix:suffix` with a prefix term (`ngsi-ld:default-context/almostFull`); else the IRI unchanged.
    /// Every result expands back to `iri` with ``expandTerm(_:)``.
    ///
    /// The choice depends on the IRI only, not on the value it holds: a term with a `@type` or `@container` still
    /// compacts its IRI (JSON-LD's term selection by value kind is not needed for NGSI-LD attribute names).
    public func compactIRI(_ iri: String) -> String {
        if let term = storage.termsByIRI[iri] { return term }
        let vocabulary = storage.vocabulary.utf8
        let utf8 = iri.utf8
        if utf8.count > vocabulary.count, utf8.starts(with: vocabulary) {
            let suffix = String(iri[utf8.index(utf8.startIndex, offsetBy: vocabulary.count)...])
            if !suffix.isEmpty, expandTerm(suffix) == iri { return suffix }
        }
        return compactIRIWithPrefix(iri, vocab: true) ?? iri
    }

    /// Expands the value of a VocabProperty (`vocab`), or any value of a term with `"@type": "@vocab"`
    /// (`watchedAttributes`, `attributeNames`, `objectType`, …): the same vocabulary-relative expansion as
    /// ``expandTerm(_:)``.
    public func expandVocabValue(_ value: String) -> String { expandTerm(value) }

    /// Compacts the value of a VocabProperty or of a term with `"@type": "@vocab"`, the inverse of
    /// ``expandVocabValue(_:)``.
    public func compactVocabValue(_ iri: String) -> String { compactIRI(iri) }

    /// Expands a value of a term with `"@type": "@id"` (a Relationship's `object`, `datasetId`, `instanceId`,
    /// `entityId`, `subscriptionId`, …). Such values are identifiers, not terms: only compact IRIs with a prefix term
    /// are expanded (`ngsi-ld:x`); terms and other strings, absolute or relative, stay as they are.
    public func expandIDValue(_ value: String) -> String {
        if value.hasPrefix("@"), IRI.isKeyword(value) || IRI.hasKeywordForm(value) { return value }
        return expandIRIForm(value, vocab: false)
    }

    /// Compacts a value of a term with `"@type": "@id"`, the inverse of ``expandIDValue(_:)``: a compact IRI with a
    /// prefix term where one fits (JSON-LD IRI compaction without the vocabulary), else the IRI unchanged.
    /// `urn:ngsi-ld:…` identifiers stay unchanged unless the context defines a prefix for them.
    public func compactIDValue(_ iri: String) -> String { compactIRIWithPrefix(iri, vocab: false) ?? iri }

    /// JSON-LD IRI expansion (API 5.2.2) of a value that is not a term: compact IRI, absolute IRI, or relative.
    private func expandIRIForm(_ value: String, vocab: Bool) -> String {
        if let (prefix, suffix) = IRI.splitCompact(value) {
            if prefix == "_" || suffix.hasPrefix("//") { return value }
            if let definition = storage.terms[String(prefix)], definition.isPrefix { return definition.iri + suffix }
            if IRI.isAbsolute(value) { return value }
        }
        return vocab ? storage.vocabulary + value : value
    }

    /// The best compact IRI `prefix:suffix` for `iri` (JSON-LD API 6.3 step 5), checked to expand back to `iri`.
    private func compactIRIWithPrefix(_ iri: String, vocab: Bool) -> String? {
        let utf8 = iri.utf8
        var best: String?
        for length in storage.prefixLengths {
            guard length < utf8.count else { break }
            let end = utf8.index(utf8.startIndex, offsetBy: length)
            guard let prefixIRI = String(utf8[..<end]), let prefixes = storage.prefixesByIRI[prefixIRI] else {
                continue
            }
            let suffix = iri[end...]
            for prefix in prefixes {
                let candidate = prefix + ":" + suffix
                if let best, !JSONLDContext.precedes(candidate, best) { continue }
                if let definition = storage.terms[candidate], definition.iri != iri { continue }
                let expanded = vocab ? expandTerm(candidate) : expandIDValue(candidate)
                if expanded == iri { best = candidate }
            }
        }
        return best
    }
}
