"""The OncoKG graph model, declared once.

Every label with its key property and every relationship type with its endpoint labels lives
here; the writer, the constraints, the export and the query tests all read this module, so a
change to the graph model is a change to this file alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oncokg.contract.errors import OncoKGError


@dataclass(frozen=True)
class NodeType:
    """A node label and the property that identifies a node of it."""

    label: str
    key: str
    properties: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class RelType:
    """A relationship type between two labels.

    ``merged_lists`` names list properties that accumulate across sources (set union, sorted)
    instead of being overwritten, so loading sources in any order gives the same graph.
    ``identity`` names properties that, with the endpoints, identify one relationship: two
    model versions' predictions between the same nodes are two relationships.
    """

    type: str
    start: str
    end: str
    properties: tuple[str, ...] = ()
    merged_lists: tuple[str, ...] = ("sources",)
    doc: str = ""
    identity: tuple[str, ...] = ()


NODE_TYPES: tuple[NodeType, ...] = (
    NodeType("Gene", "symbol", ("hgnc_id", "entrez_id", "name", "synonyms", "sources"),
             "A human gene keyed by its current approved symbol."),
    NodeType("Mutation", "id", ("gene", "protein_change", "kind", "sources"),
             "A variant or copy-number alteration, e.g. 'BRAF p.V600E', 'EGFR amplification'."),
    NodeType("Pathway", "id", ("name", "collection", "sources"),
             "A Reactome pathway (stable id) or an MSigDB gene set (set name)."),
    NodeType("Drug", "id",
             ("name", "synonyms", "smiles", "inchikey", "gdsc_ids", "chembl_id", "drugbank_id",
              "pubchem_cid", "name_forms", "sources"),
             "A compound keyed by InChIKey where a structure exists, else by a source id."),
    NodeType("TumorType", "code", ("name", "tissue", "main_type", "parent", "level", "sources"),
             "An OncoTree tumor type."),
    NodeType("CellLine", "cosmic_id", ("name", "tissue", "tissue_sub_type", "msi", "sources"),
             "A cancer cell line keyed by its COSMIC id."),
)

REL_TYPES: tuple[RelType, ...] = (
    RelType("TARGETS", "Drug", "Gene", ("sources", "actions", "evidence"),
            ("sources", "actions", "evidence"), "A drug binds or modulates a gene product."),
    RelType("IN_PATHWAY", "Gene", "Pathway", ("sources",), doc="Gene is a member of a pathway."),
    RelType("OF_GENE", "Mutation", "Gene", ("sources",), doc="The gene a mutation lies in."),
    RelType("HAS_MUTATION", "CellLine", "Mutation", ("sources",),
            doc="A cell line carries a mutation or copy-number alteration."),
    RelType("MODEL_OF", "CellLine", "TumorType", ("sources",),
            doc="The OncoTree type a cell line models."),
    RelType("SUBTYPE_OF", "TumorType", "TumorType", ("sources",),
            doc="OncoTree hierarchy: child → parent."),
    RelType("RESPONSE", "Drug", "CellLine", ("ln_ic50", "auc", "sensitive", "dataset", "sources"),
            doc="Measured drug response of a cell line; one relationship per dataset.",
            identity=("dataset",)),
    RelType("BIOMARKER_OF_RESPONSE", "Mutation", "Drug",
            ("direction", "level", "tumor", "pmids", "evidence_ids", "sources"),
            ("sources", "pmids", "evidence_ids", "tumor"),
            "Clinical evidence that a mutation predicts sensitivity or resistance to a drug.",
            ("direction",)),
    RelType("EXPRESSES", "CellLine", "Gene", ("z", "sources"),
            doc="A gene a cell line expresses unusually high (z > 0) or low (z < 0) vs. other "
                "lines."),
    RelType("HOTSPOT_IN", "Mutation", "TumorType", ("count", "sources"),
            doc="A recurrent hotspot mutation observed in samples of a tumor type."),
    RelType("PREDICTED_TARGET", "Drug", "Gene",
            ("score", "probability", "rank", "model", "model_version", "known"), (),
            "A drug→gene target link predicted by a model.", ("model", "model_version")),
    RelType("PREDICTED_RESPONSE", "Drug", "CellLine",
            ("score", "probability", "rank", "model", "model_version", "known"), (),
            "A drug→cell-line sensitivity predicted by a model.", ("model", "model_version")),
)


#: Declared value types of well-known properties; the writer refuses other types for them.
PROPERTY_TYPES: dict[str, type] = {
    "ln_ic50": float,
    "auc": float,
    "score": float,
    "probability": float,
    "sensitive": bool,
    "rank": int,
    "count": int,
    "z": float,
    "sources": list,
}


@dataclass(frozen=True)
class GraphSchema:
    """Lookup over the declared node and relationship types."""

    nodes: dict[str, NodeType] = field(default_factory=lambda: {n.label: n for n in NODE_TYPES})
    rels: dict[str, RelType] = field(default_factory=lambda: {r.type: r for r in REL_TYPES})

    def node(self, label: str) -> NodeType:
        try:
            return self.nodes[label]
        except KeyError:
            raise SchemaError(
                f"unknown node label {label!r}; the schema declares {sorted(self.nodes)}"
            ) from None

    def rel(self, rel_type: str) -> RelType:
        try:
            return self.rels[rel_type]
        except KeyError:
            raise SchemaError(
                f"unknown relationship type {rel_type!r}; the schema declares {sorted(self.rels)}"
            ) from None


class SchemaError(OncoKGError, ValueError):
    """A table or query names a label, relationship type or key the schema does not declare."""


SCHEMA = GraphSchema()

#: The label of the lock node that serializes prediction write-backs (``kg.predictions``);
#: outside the schema's node types, so never exported or counted.
LOCK_LABEL = "OncoKGLock"

#: The label of the provenance nodes: one per ``sources`` tag (``name:release``), keyed by ``id``
#: (the tag) with the ``licence`` its source declares (``contract.licences``), written by every
#: load; outside the schema's node types, so never exported or counted with them.
SOURCE_LABEL = "Source"

#: Node properties with an index besides the label keys (the keys have uniqueness constraints).
INDEXED_NODE_PROPERTIES = {"drug_name": ("Drug", "name"), "celline_name": ("CellLine", "name"),
                           "mutation_gene": ("Mutation", "gene")}
#: The longest string (UTF-8 bytes) a key or indexed property may hold: Neo4j's range indexes
#: refuse entries over about 8 KiB, mid-write; loaders refuse longer values while parsing.
INDEX_VALUE_BYTES = 4096


def indexed_properties(label: str) -> list[str]:
    """The key and the indexed properties of ``label``."""
    return [SCHEMA.node(label).key] + [prop for lab, prop in INDEXED_NODE_PROPERTIES.values()
                                       if lab == label]


def constraint_statements() -> list[str]:
    """Idempotent Cypher that creates a uniqueness constraint per label key and rel indexes.

    Labels and property names come from this module, never from user input.
    """
    statements = [
        f"CREATE CONSTRAINT {n.label.lower()}_{n.key}_unique IF NOT EXISTS "
        f"FOR (n:{n.label}) REQUIRE n.{n.key} IS UNIQUE"
        for n in NODE_TYPES
    ]
    statements += [
        f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for name, (label, prop) in INDEXED_NODE_PROPERTIES.items()
    ]
    statements.append(f"CREATE CONSTRAINT source_id_unique IF NOT EXISTS "
                      f"FOR (n:{SOURCE_LABEL}) REQUIRE n.id IS UNIQUE")
    statements.append(f"CREATE CONSTRAINT oncokg_lock_unique IF NOT EXISTS "
                      f"FOR (n:{LOCK_LABEL}) REQUIRE n.name IS UNIQUE")
    statements += [
        "CREATE INDEX predicted_target_version IF NOT EXISTS "
        "FOR ()-[r:PREDICTED_TARGET]-() ON (r.model, r.model_version)",
        "CREATE INDEX predicted_response_version IF NOT EXISTS "
        "FOR ()-[r:PREDICTED_RESPONSE]-() ON (r.model, r.model_version)",
    ]
    return statements
