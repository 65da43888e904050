#!/usr/bin/env python3
"""Cross-checks Machi's JSON-LD @context processing against a reference JSON-LD 1.1 processor (PyPI `pyld`).

What it does (pyld never goes online: its document loader serves only the fixture files):

1. Exports the core @context texts embedded in Sources/MachiCore/JSONLD/CoreContexts/*.swift to fixtures/core/.
2. Builds Smart Data Models user @contexts for WaterObserved, AirQualityObserved, WeatherObserved, Streetlight and
   Device from the attribute database that PyPI `pysmartdatamodels` ships (term -> IRI, as the models publish them),
   plus a compound context, into fixtures/contexts/. The entity examples in fixtures/examples/ are hand-written
   after the models' published examples (pysmartdatamodels fetches its examples from the network);
   fixtures/inline-cases.json adds inline contexts for the JSON-LD corners.
3. Expands and compacts with pyld, through a document loader that serves only these files, and writes what pyld
   says to fixtures/expected-expansions.json. Tests/MachiCoreTests/JSONLD/JSONLDCrossCheckTests.swift compares
   `JSONLDContext` with it.

NGSI-LD gives the core @context precedence "as if it were in the last position" (ETSI GS CIM 009, 4.4) and Machi also
lets user contexts use the core prefixes, so every context is given to pyld as [core, user..., core], with the core
served unprotected (a user context may restate core terms; the last core wins).

JSON-LD picks the term for an IRI by the kind of value too; Machi compacts by IRI alone (an NGSI-LD attribute is a
Property node whatever its term's @type says, and ETSI GS CIM 009 4.4 asks user contexts to give Property terms a
datatype @type). So the compaction probes give each IRI a value of the kind its term declares.

Usage: python3 scripts/jsonld-check/check.py            regenerate every fixture (idempotent; installs pyld and
                                                        pysmartdatamodels with pip if they are missing)
       python3 scripts/jsonld-check/check.py --verify   recompute with pyld from the committed contexts and examples,
                                                        write nothing, exit 1 if a fixture is stale (needs pyld only;
                                                        scripts/test runs this)
"""

import copy
import gzip
import importlib.util
import json
import pathlib
import re
import subprocess
import sys

PYLD_REQUIREMENT = "pyld==2.0.4"  # as scripts/requirements-test.txt; pyld 3.3.0 gives the same output
SDM_REQUIREMENT = "pysmartdatamodels==0.8.2.0"
HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = HERE / "fixtures"
CORE_SOURCES = REPO / "Sources" / "MachiCore" / "JSONLD" / "CoreContexts"
CORE_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v{}.jsonld"
ACTIVE_CORE = CORE_URL.format("1.8")
NGSI_LD = "https://uri.etsi.org/ngsi-ld/"
SDM_URL = "https://raw.githubusercontent.com/smart-data-models/{}/master/context.jsonld"
DEVICE_COMPOUND_URL = "https://example.org/machi/device-compound.jsonld"

# repository -> (models, how terms are written)
SDM_CONTEXTS = {
    "dataModel.Environment": (["WaterObserved", "AirQualityObserved"], "iri"),
    "dataModel.Weather": (["WeatherObserved"], "iri"),
    "dataModel.Streetlighting": (["Streetlight"], "prefixed"),
    "dataModel.Device": (["Device"], "iri"),
}

# Extra terms Machi adds to the generated contexts, to cover what the models' own contexts do not.
EXTRA_TERMS = {
    # VocabProperty values named by the context (an enumeration as terms)
    "dataModel.Streetlighting": {
        "on": "sdm-sl:powerState/on",
        "off": "sdm-sl:powerState/off",
    },
    # the quirk of real SDM contexts: a compact IRI with the core prefix, which they do not define
    "dataModel.Device": {"location": "ngsi-ld:location"},
}

EXAMPLES = ["WaterObserved", "AirQualityObserved", "WeatherObserved", "Streetlight", "Device"]

# Attribute members that are NGSI-LD structure, not (sub-)attribute names, and whose values are not attributes.
VALUE_MEMBERS = {"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"}


def ensure(module, requirement):
    """Installs `requirement` with pip unless `module` is importable already."""
    if importlib.util.find_spec(module) is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement],
            check=True,
        )
        importlib.invalidate_caches()


def export_core_contexts():
    """fixtures/core/<file> -> text, from the Swift raw string literals."""
    files = {}
    for source in sorted(CORE_SOURCES.glob("NGSILDCoreContext+V*.swift")):
        version = re.search(r"V(\d+)_(\d+)\.swift$", source.name)
        text = re.search(r'#"""\n(.*)\n"""#', source.read_text(), re.S)
        if not version or not text:
            sys.exit(f"cannot read the core @context literal in {source}")
        name = f"core/ngsi-ld-core-context-v{version.group(1)}.{version.group(2)}.jsonld"
        files[name] = text.group(1) + "\n"
    return files


def sdm_attributes():
    ensure("pysmartdatamodels", SDM_REQUIREMENT)
    spec = importlib.util.find_spec("pysmartdatamodels")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pysmartdatamodels is not installed")
    database = pathlib.Path(spec.submodule_search_locations[0]) / "model-assets" / "smartdatamodels.json.gz"
    with gzip.open(database) as stream:
        return json.load(stream)


def sdm_context(repository, models, style, rows):
    terms = {}
    for model in models:
        terms[model] = f"https://smartdatamodels.org/{repository}/{model}"
        for row in rows:
            if row.get("dataModel") != model or row.get("repoName") != repository:
                continue
            iri = row.get("context")
            if not isinstance(iri, str) or not iri.startswith("http"):
                continue  # id -> @id and type -> @type are added below
            if iri.startswith("https://purl.org/geojson/"):
                continue  # GeoJSON members of location values, which the core context covers
            terms.setdefault(row["property"], iri)
    terms.update({"id": "@id", "type": "@type"})
    if style == "prefixed":
        own = f"https://smartdatamodels.org/{repository}/"
        terms = {
            term: iri.replace(own, "sdm-sl:").replace("https://smartdatamodels.org/", "sdm:")
            for term, iri in terms.items()
        }
        terms.update({"sdm": "https://smartdatamodels.org/", "sdm-sl": own})
    terms.update(EXTRA_TERMS.get(repository, {}))
    return {"@context": dict(sorted(terms.items()))}


def build_documents(core_files, rows):
    """URL -> (fixture path, document). Without `rows`, the committed Smart Data Models contexts are used."""
    documents = {}
    for version in ("1.6", "1.8", "1.9"):
        path = f"core/ngsi-ld-core-context-v{version}.jsonld"
        documents[CORE_URL.format(version)] = (path, json.loads(core_files[path]))
    for repository, (models, style) in SDM_CONTEXTS.items():
        path = f"contexts/{repository}.jsonld"
        if rows is None:
            document = json.loads((FIXTURES / path).read_text())
        else:
            document = sdm_context(repository, models, style, rows)
        documents[SDM_URL.format(repository)] = (path, document)
    documents[DEVICE_COMPOUND_URL] = (
        "contexts/device-compound.jsonld",
        {
            "@context": [
                SDM_URL.format("dataModel.Device"),
                {"schema": "https://schema.org/", "manufacturerName": "schema:manufacturer"},
                ACTIVE_CORE,
            ]
        },
    )
    return documents


def make_loader(documents):
    def load(url, options=None):
        if url not in documents:
            raise RuntimeError(f"offline loader: no fixture for {url}")
        document = copy.deepcopy(documents[url][1])
        if url.startswith("https://uri.etsi.org/"):
            document["@context"].pop("@protected", None)
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}

    return load


class Reference:
    def __init__(self, documents):
        from pyld import jsonld

        self.jsonld = jsonld
        self.options = {"documentLoader": make_loader(documents)}

    def wrap(self, context):
        return [ACTIVE_CORE, *(context if isinstance(context, list) else [context]), ACTIVE_CORE]

    def expand(self, document):
        return self.jsonld.expand(document, self.options)

    def term(self, context, term):
        expanded = self.expand({"@context": self.wrap(context), term: "x"})
        keys = [key for key in expanded[0]] if expanded else []
        return keys[0] if len(keys) == 1 else None

    def type(self, context, term):
        expanded = self.expand({"@context": self.wrap(context), "@id": "urn:x", "@type": term})
        return expanded[0]["@type"][0]

    def member_value(self, context, member, value, iri_member):
        expanded = self.expand({"@context": self.wrap(context), "@id": "urn:x", member: value})
        return expanded[0][iri_member][0]["@id"]

    def compact(self, context, iri, value):
        compacted = self.jsonld.compact({iri: value}, {"@context": self.wrap(context)}, self.options)
        keys = [key for key in compacted if key != "@context"]
        return keys[0] if len(keys) == 1 else None


def attribute_names(entity):
    """The attribute and sub-attribute names of a normalized NGSI-LD entity, and its VocabProperty/Relationship values."""
    names, vocab_values, id_values = set(), set(), set()

    def visit(attribute):
        if not isinstance(attribute, dict):
            return
        if "vocab" in attribute:
            vocab_values.update(attribute["vocab"] if isinstance(attribute["vocab"], list) else [attribute["vocab"]])
        if "object" in attribute:
            id_values.update(attribute["object"] if isinstance(attribute["object"], list) else [attribute["object"]])
        for name, sub in attribute.items():
            if name == "type" or name in VALUE_MEMBERS:
                continue
            names.add(name)
            visit(sub)

    for name, attribute in entity.items():
        if name in ("@context", "id", "type"):
            continue
        names.add(name)
        visit(attribute)
    return names, vocab_values, id_values


def attribute_values(expanded_entity):
    """(IRI, expanded value) of every attribute and sub-attribute of an expanded entity."""
    found = []

    def visit(node):
        for key, value in node.items():
            if key.startswith("@") or key in (NGSI_LD + "hasValue", NGSI_LD + "hasObject"):
                continue
            found.append((key, value))
            for instance in value:
                if isinstance(instance, dict) and "@value" not in instance and "@list" not in instance:
                    visit(instance)

    visit(expanded_entity)
    return found


def run_case(reference, name, context, terms, types, iris, vocab_values, id_values, example=None):
    case = {"name": name, "context": context}
    if example:
        case["example"] = example
    case["expansions"] = {term: reference.term(context, term) for term in sorted(terms)}
    case["types"] = {term: reference.type(context, term) for term in sorted(types)}
    compactions = {}
    for iri, value in iris:
        compacted = reference.compact(context, iri, value)
        if compactions.get(iri, compacted) != compacted:
            sys.exit(f"{name}: {iri} compacts differently depending on its value")
        compactions[iri] = compacted
    case["compactions"] = dict(sorted(compactions.items()))
    case["vocabValues"] = {
        value: reference.member_value(context, "vocab", value, NGSI_LD + "hasVocab") for value in sorted(vocab_values)
    }
    case["idValues"] = {
        value: reference.member_value(context, "object", value, NGSI_LD + "hasObject") for value in sorted(id_values)
    }
    for section in ("expansions", "compactions"):
        missing = [key for key, value in case[section].items() if value is None]
        if missing:
            sys.exit(f"{name}: pyld gave no single {section[:-1]} for {missing}")
    return case


def generate(rebuild_contexts):
    ensure("pyld", PYLD_REQUIREMENT)
    rows = sdm_attributes() if rebuild_contexts else None
    core_files = export_core_contexts()
    documents = build_documents(core_files, rows)
    reference = Reference(documents)
    cases = []
    for model in EXAMPLES:
        entity = json.loads((FIXTURES / "examples" / f"{model}.json").read_text())
        context = entity["@context"]
        names, vocab_values, id_values = attribute_names(entity)
        expanded = reference.expand({**entity, "@context": reference.wrap(context)})[0]
        iris = attribute_values(expanded)
        iris.append((expanded["@type"][0], [{"@id": "urn:x"}]))  # the type IRI, as an attribute name
        cases.append(
            run_case(reference, model, context, names | {"undefinedAttribute"}, [entity["type"]], iris,
                     vocab_values, id_values, example=f"examples/{model}.json")
        )
    property_value = [{"@type": [NGSI_LD + "Property"], NGSI_LD + "hasValue": [{"@value": 1}]}]
    for inline in json.loads((FIXTURES / "inline-cases.json").read_text())["cases"]:
        iris = [(iri["iri"], iri["value"]) if isinstance(iri, dict) else (iri, property_value) for iri in inline["iris"]]
        cases.append(
            run_case(reference, inline["name"], inline["context"], inline["terms"], inline["types"], iris,
                     inline["vocabValues"], inline["idValues"])
        )
    expected = {
        "generator": "scripts/jsonld-check/check.py (pyld; Smart Data Models terms from pysmartdatamodels)",
        "coreContext": ACTIVE_CORE,
        "documents": {url: path for url, (path, _) in sorted(documents.items())},
        "cases": cases,
    }
    files = dict(core_files)
    for url, (path, document) in documents.items():
        if path.startswith("contexts/"):
            files[path] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    files["expected-expansions.json"] = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    return files


def main():
    check_only = bool({"--verify", "--check"} & set(sys.argv[1:]))
    files = generate(rebuild_contexts=not check_only)
    stale = []
    for path, text in sorted(files.items()):
        target = FIXTURES / path
        if target.exists() and target.read_text() == text:
            continue
        stale.append(path)
        if not check_only:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    total = sum(len(text.encode()) for text in files.values())
    if check_only and stale:
        print("stale fixtures: " + ", ".join(stale))
        sys.exit(1)
    verb = "would change" if check_only else "updated"
    print(f"{len(files)} fixture files, {total} bytes; {verb}: {', '.join(stale) or 'none'}")


if __name__ == "__main__":
    main()
