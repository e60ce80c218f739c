"""Heterogeneous graph encoders and task decoders, selectable by name.

``resolve_encoder("sage")`` / ``resolve_encoder("hgt")`` and ``resolve_decoder(...)`` give the
parts; :class:`LinkModel` joins input embeddings, an encoder and a decoder. The same names are
used by :func:`gnn.train.train`, the benchmark and the artifact config.

Encoders (full-graph, no neighbour sampling):

* ``sage``: relational GraphSAGE (R-GCN-style): a mean over neighbours per edge type with its
  own weight, summed with a root map per node type (sparse matrix products; fast on CPU);
* ``gat``: hetero GAT: one ``GATConv`` per edge type plus a root linear map;
* ``hgt``: Heterogeneous Graph Transformer (``HGTConv``).

Every layer is residual (``h ← h + dropout(relu(norm(conv(h))))``), so a node with no edges
(a new compound scored by SMILES) keeps the embedding its input features give it.

Inputs: drugs with a structure enter through a linear map of their fingerprint and
descriptors; drugs without one through a learned per-drug embedding. Cell lines enter through a
linear map of their genomic profile. Drugs and cell lines that have training supervision also
get a zero-initialized ID embedding (randomly dropped in training, so the model learns to do
without it for unseen entities). Genes, pathways, mutations and tumor types get learned
embeddings.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch_geometric.nn import GATConv, HeteroConv, HGTConv

from oncokg.contract.errors import UnknownSettingError
from oncokg.contract.export import EdgeKey
from oncokg.contract.tasks import SENSITIVE_QUANTILE
from oncokg.gnn.features import drug_neighbour_weights

ENCODERS: dict[str, type[nn.Module]] = {}
DECODERS: dict[str, type[nn.Module]] = {}
#: The evidence vote's starting weight in :class:`TargetPrior`: validation MRR of GDSC v17,
#: seeds 0–2, random and unseen-drug splits, weights 0 / 1 / 2 / 3 / 5 (README).
EVIDENCE_WEIGHT = 2.0


def register(registry: dict, name: str):
    def wrap(cls):
        registry[name] = cls
        return cls
    return wrap


def resolve_encoder(name: str) -> type[nn.Module]:
    """Encoder class by name (``sage``, ``gat``, ``hgt``)."""
    try:
        return ENCODERS[name.lower()]
    except KeyError:
        raise UnknownSettingError(f"unknown model {name!r}; "
                                  f"choose one of {sorted(ENCODERS)}") from None


def resolve_decoder(name: str) -> type[nn.Module]:
    """Decoder class by name (``response-mlp``, ``distmult``, ``dot``, ``mlp``)."""
    try:
        return DECODERS[name.lower()]
    except KeyError:
        raise UnknownSettingError(f"unknown decoder {name!r}; "
                                  f"choose one of {sorted(DECODERS)}") from None


# -- inputs -------------------------------------------------------------------------------------
class NodeInput(nn.Module):
    """Initial node embeddings: features for drugs and cell lines, learned tables elsewhere."""

    def __init__(self, num_nodes: dict[str, int], hidden: int, drug_dim: int, cell_dim: int,
                 id_dropout: float = 0.2) -> None:
        super().__init__()
        self.num_nodes = dict(num_nodes)
        self.id_dropout = id_dropout
        self.embeddings = nn.ModuleDict({
            label: nn.Embedding(n, hidden) for label, n in num_nodes.items()
            if label not in ("Drug", "CellLine")
        })
        for emb in self.embeddings.values():
            nn.init.normal_(emb.weight, std=0.1)
        n_drugs, n_cells = num_nodes.get("Drug", 0), num_nodes.get("CellLine", 0)
        self.drug_in = nn.Sequential(nn.Linear(drug_dim, hidden), nn.ReLU(),
                                     nn.Linear(hidden, hidden)) if drug_dim else None
        self.drug_free = nn.Embedding(max(n_drugs, 1), hidden)
        nn.init.normal_(self.drug_free.weight, std=0.1)
        self.drug_id = nn.Embedding(max(n_drugs, 1), hidden)
        self.cell_in = nn.Linear(cell_dim, hidden) if cell_dim else None
        self.cell_id = nn.Embedding(max(n_cells, 1), hidden)
        for emb in (self.drug_id, self.cell_id):
            nn.init.zeros_(emb.weight)

    def forward(self, inputs: dict[str, torch.Tensor],
                node_ids: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
        """Initial embeddings of every node, or of ``node_ids[label]`` only where given."""
        node_ids = node_ids or {}

        def pick(label: str, value: torch.Tensor) -> torch.Tensor:
            return value[node_ids[label]] if label in node_ids else value

        out = {label: pick(label, emb.weight) for label, emb in self.embeddings.items()}
        if "Drug" in self.num_nodes:
            n = len(inputs["drug_has_structure"])
            has = pick("Drug", inputs["drug_has_structure"])
            h = pick("Drug", _rows(self.drug_free.weight, n))
            if self.drug_in is not None and bool(has.any()):
                h = torch.where(has[:, None], self.drug_in(pick("Drug", inputs["drug_x"])), h)
            ids = pick("Drug", _rows(self.drug_id.weight, n))
            out["Drug"] = h + self._ids(ids, pick("Drug", inputs["drug_known"]))
        if "CellLine" in self.num_nodes:
            n = len(inputs["cell_known"])
            ids = pick("CellLine", _rows(self.cell_id.weight, n))
            h = self._ids(ids, pick("CellLine", inputs["cell_known"]))
            if self.cell_in is not None:
                h = h + self.cell_in(pick("CellLine", inputs["cell_x"]))
            out["CellLine"] = h
        return out

    def _ids(self, weight: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        mask = known.float()
        if self.training and self.id_dropout > 0:
            mask = mask * (torch.rand_like(mask) >= self.id_dropout).float()
        return weight * mask[:, None]


def _rows(weight: torch.Tensor, n: int) -> torch.Tensor:
    """The first ``n`` rows of an embedding table, zero-padded for nodes added after training."""
    if n <= len(weight):
        return weight[:n]
    return torch.cat([weight, weight.new_zeros(n - len(weight), weight.shape[1])])


# -- encoders -----------------------------------------------------------------------------------
class _ResidualHetero(nn.Module):
    """Shared residual/normalization wrapper around one hetero convolution per layer."""

    def __init__(self, node_types: list[str], hidden: int, layers: int, dropout: float) -> None:
        super().__init__()
        self.node_types = node_types
        self.dropout = nn.Dropout(dropout)
        self.norms = nn.ModuleList(
            nn.ModuleDict({t: nn.LayerNorm(hidden) for t in node_types}) for _ in range(layers)
        )

    def forward(self, h: dict[str, torch.Tensor], edge_index: dict[EdgeKey, torch.Tensor]
                ) -> dict[str, torch.Tensor]:
        for conv, norms in zip(self.layers, self.norms, strict=True):
            present = {k: v for k, v in edge_index.items() if k in self.edge_types}
            update = conv(h, present)
            h = {t: h[t] + self.dropout(torch.relu(norms[t](update[t]))) if t in update
                 else h[t] for t in h}
        return h


def _edge_key(edge_type: EdgeKey) -> str:
    return "__".join(edge_type)


def mean_adjacency(index: torch.Tensor, n_dst: int, n_src: int) -> torch.Tensor:
    """Sparse (n_dst, n_src) matrix whose product with source features is the neighbour mean."""
    src, dst = index[0], index[1]
    degree = torch.bincount(dst, minlength=n_dst).clamp(min=1).to(torch.float32)
    return torch.sparse_coo_tensor(torch.stack([dst, src]), 1.0 / degree[dst], (n_dst, n_src),
                                   check_invariants=False)


@register(ENCODERS, "sage")
class RelationalSAGE(nn.Module):
    """Relational GraphSAGE (R-GCN-style, mean aggregation), residual per layer.

    ``h_v ← h_v + dropout(relu(norm(W_root[t] h_v + Σ_r mean_{u ∈ N_r(v)} W_r h_u)))``:
    one root map per node type and one message map per edge type. Messages are transformed
    before aggregation and aggregated with a sparse matrix product, so a large node type with
    few edges (tens of thousands of genes) costs one linear map per layer.
    """

    def __init__(self, node_types: list[str], edge_types: list[EdgeKey], hidden: int = 64,
                 layers: int = 2, dropout: float = 0.1, **_: object) -> None:
        super().__init__()
        # A list in a fixed order: parameters are created (and randomly initialized) in this
        # order, so a set here would make results depend on PYTHONHASHSEED.
        self.edge_types = sorted({tuple(et) for et in edge_types})
        self.dropout = nn.Dropout(dropout)
        self.root = nn.ModuleList(
            nn.ModuleDict({t: nn.Linear(hidden, hidden) for t in node_types})
            for _ in range(layers))
        self.rel = nn.ModuleList(
            nn.ModuleDict({_edge_key(et): nn.Linear(hidden, hidden, bias=False)
                           for et in self.edge_types})
            for _ in range(layers))
        self.norms = nn.ModuleList(
            nn.ModuleDict({t: nn.LayerNorm(hidden) for t in node_types}) for _ in range(layers))

    def forward(self, h: dict[str, torch.Tensor], edge_index: dict[EdgeKey, torch.Tensor]
                ) -> dict[str, torch.Tensor]:
        adjacency = {
            et: mean_adjacency(index, len(h[et[2]]), len(h[et[0]]))
            for et, index in edge_index.items() if et in self.edge_types and index.numel()
        }
        for root, rel, norms in zip(self.root, self.rel, self.norms, strict=True):
            update = {t: root[t](x) for t, x in h.items()}
            for et, matrix in adjacency.items():
                message = rel[_edge_key(et)](h[et[0]])
                update[et[2]] = update[et[2]] + torch.sparse.mm(matrix, message)
            h = {t: h[t] + self.dropout(torch.relu(norms[t](update[t]))) for t in h}
        return h


@register(ENCODERS, "gat")
class HeteroGAT(_ResidualHetero):
    """Hetero GAT: attention over neighbours per edge type, plus a root linear map."""

    def __init__(self, node_types: list[str], edge_types: list[EdgeKey], hidden: int = 64,
                 layers: int = 2, dropout: float = 0.1, heads: int = 2, **_: object) -> None:
        super().__init__(node_types, hidden, layers, dropout)
        self.edge_types = sorted({tuple(et) for et in edge_types})  # see RelationalSAGE
        self.layers = nn.ModuleList(
            _WithRoot(HeteroConv({
                et: GATConv((hidden, hidden), hidden, heads=heads, concat=False,
                            add_self_loops=False) for et in self.edge_types}, aggr="sum"),
                node_types, hidden)
            for _ in range(layers)
        )


class _WithRoot(nn.Module):
    def __init__(self, conv: nn.Module, node_types: list[str], hidden: int) -> None:
        super().__init__()
        self.conv = conv
        self.root = nn.ModuleDict({t: nn.Linear(hidden, hidden) for t in node_types})

    def forward(self, h, edge_index):
        update = self.conv(h, edge_index) if edge_index else {}
        return {t: self.root[t](h[t]) + update.get(t, 0) for t in h}


@register(ENCODERS, "hgt")
class HGT(_ResidualHetero):
    """Heterogeneous Graph Transformer layers (type-specific attention and messages)."""

    def __init__(self, node_types: list[str], edge_types: list[EdgeKey], hidden: int = 64,
                 layers: int = 2, dropout: float = 0.1, heads: int = 2, **_: object) -> None:
        super().__init__(node_types, hidden, layers, dropout)
        self.edge_types = sorted({tuple(et) for et in edge_types})  # see RelationalSAGE
        meta = (list(node_types), self.edge_types)
        self.layers = nn.ModuleList(
            _HGTLayer(HGTConv(hidden, hidden, meta, heads=heads)) for _ in range(layers)
        )


class _HGTLayer(nn.Module):
    def __init__(self, conv: nn.Module) -> None:
        super().__init__()
        self.conv = conv

    def forward(self, h, edge_index):
        out = self.conv(h, edge_index)
        return {t: v for t, v in out.items() if v is not None}


# -- decoders -----------------------------------------------------------------------------------
@register(DECODERS, "response-mlp")
class ResponseMLP(nn.Module):
    """MLP over [drug ‖ cell ‖ drug ⊙ cell] → (standardized ln IC50, sensitivity logit)."""

    def __init__(self, hidden: int = 64, dropout: float = 0.1, **_: object) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(3 * hidden, 2 * hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2),
        )

    def forward(self, drug: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([drug, cell, drug * cell], dim=-1))

    def all_pairs(self, drug: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """:meth:`forward` of every (drug, cell) pair, (n_drugs, n_cells, 2): the first layer's
        drug and cell parts are computed once per row, not once per pair (same values up to
        float rounding, about half the work)."""
        first = self.net[0]
        hidden = drug.shape[1]
        w_drug, w_cell, w_both = first.weight.split(hidden, dim=1)
        per_drug = drug @ w_drug.T
        per_cell = cell @ w_cell.T + first.bias
        z = (drug[:, None, :] * cell[None, :, :]) @ w_both.T
        z = z + per_drug[:, None, :] + per_cell[None, :, :]
        return self.net[1:](z)


@register(DECODERS, "distmult")
class DistMult(nn.Module):
    """Score ⟨drug, r, gene⟩ = Σ drug·r·gene with a learned relation vector."""

    def __init__(self, hidden: int = 64, **_: object) -> None:
        super().__init__()
        self.relation = nn.Parameter(torch.ones(hidden))

    def forward(self, drug: torch.Tensor, gene: torch.Tensor) -> torch.Tensor:
        return (drug * self.relation * gene).sum(-1)

    def score_all(self, drug: torch.Tensor, genes: torch.Tensor) -> torch.Tensor:
        return (drug * self.relation) @ genes.T


@register(DECODERS, "dot")
class Dot(nn.Module):
    """Score = drug · gene."""

    def __init__(self, hidden: int = 64, **_: object) -> None:
        super().__init__()

    def forward(self, drug: torch.Tensor, gene: torch.Tensor) -> torch.Tensor:
        return (drug * gene).sum(-1)

    def score_all(self, drug: torch.Tensor, genes: torch.Tensor) -> torch.Tensor:
        return drug @ genes.T


@register(DECODERS, "mlp")
class PairMLP(nn.Module):
    """MLP over [drug ‖ gene ‖ drug ⊙ gene] → logit (slower to rank all genes)."""

    def __init__(self, hidden: int = 64, dropout: float = 0.1, **_: object) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, 1))

    def forward(self, drug: torch.Tensor, gene: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([drug, gene, drug * gene], dim=-1)).squeeze(-1)

    def score_all(self, drug: torch.Tensor, genes: torch.Tensor, chunk: int = 64
                  ) -> torch.Tensor:
        rows = []
        for block in drug.split(chunk):
            d = block[:, None, :].expand(-1, len(genes), -1)
            g = genes[None].expand(len(block), -1, -1)
            rows.append(self.forward(d, g))
        return torch.cat(rows)


class TargetPrior(nn.Module):
    """The neighbour and evidence votes the target decoder corrects.

    ``logit = s · decoder + a · structure + c · shared + e · evidence + b · degree``:
    ``structure`` is the similarity-weighted vote of the drug's structural neighbours for the
    gene (:class:`gnn.baselines.FingerprintNN`), ``shared`` that of the drugs sharing its known
    targets (:class:`gnn.baselines.SharedTargets`), ``evidence`` 1 where the graph's clinical
    evidence ties a mutation of the gene to the drug's response (:func:`gnn.prior.
    evidence_genes`), ``degree`` the gene's log training target count. ``s`` starts at 0 and
    ``a``, ``c``, ``e``, ``b`` at the weights that ranked best on the validation sets of the
    real graph (random and unseen-drug splits; ``e`` over seeds 0–2), so training starts
    from the votes and the graph model learns what to add to them.
    """

    def __init__(self, evidence_weight: float = EVIDENCE_WEIGHT) -> None:
        super().__init__()
        self.s = nn.Parameter(torch.tensor(0.0))
        self.a = nn.Parameter(torch.tensor(10.0))
        self.c = nn.Parameter(torch.tensor(20.0))
        self.e = nn.Parameter(torch.tensor(float(evidence_weight)))
        self.b = nn.Parameter(torch.tensor(0.1))

    def forward(self, score: torch.Tensor, structure: torch.Tensor, shared: torch.Tensor,
                evidence: torch.Tensor, degree: torch.Tensor) -> torch.Tensor:
        return (self.s * score + self.a * structure + self.c * shared + self.e * evidence
                + self.b * degree)


class ResponsePrior(nn.Module):
    """The prediction the response decoder corrects: ALS + neighbours (``als-neighbours``).

    ``ln IC50 (standardized) ŷ = z + s · decoder₀`` and ``sensitivity logit = g · (t − ŷ)``,
    where ``z = μ + a_d + b_c + u_d · v_c`` from the factor rows held here and ``t`` is the
    drug's predicted 20th percentile over every cell line: sensitivity follows the corrected
    regression (a free second head lowered validation AUROC: GDSC v17 unseen drugs, seed 0,
    0.704 vs the prior's 0.772). ``s`` starts at 0, so an untrained model predicts as the
    prior. Rows of compounds outside the graph (scored by
    SMILES) are mixed from their structural neighbours among the donor drugs.
    """

    def __init__(self, n_drugs: int, n_cells: int, rank: int, fp_bits: int) -> None:
        super().__init__()
        self.fp_bits = fp_bits
        self.register_buffer("drug", torch.zeros(n_drugs, rank + 1))
        self.register_buffer("cell", torch.zeros(n_cells, rank + 1))
        self.register_buffer("threshold", torch.zeros(n_drugs))
        self.register_buffer("donor", torch.zeros(n_drugs, dtype=torch.bool))
        self.register_buffer("scale", torch.tensor([0.0, 0.0, 1.0]))   # μ, y mean, y sd
        self.s = nn.Parameter(torch.tensor(0.0))
        self.g = nn.Parameter(torch.tensor(3.0))

    @torch.no_grad()
    def set(self, mu: float, drug, cell, donor, y_mean: float, y_std: float) -> None:
        """Hold a fitted prior (numpy rows) and the model's label scaling; derive ``t``."""
        for name, value in (("drug", drug), ("cell", cell), ("donor", donor)):
            getattr(self, name).copy_(torch.as_tensor(value))
        self.scale.copy_(torch.tensor([mu, y_mean, y_std]))
        self.threshold.copy_(torch.cat([self._thresholds(block)
                                        for block in self.drug.split(1024)]))

    def columns(self, inputs: dict[str, torch.Tensor],
                node_ids: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
        """Prior columns per node: drugs ``[a | u | t]``, cell lines ``[b | v]``."""
        node_ids = node_ids or {}
        drug = torch.cat([self.drug, self.threshold[:, None]], dim=1)
        n = len(inputs["drug_has_structure"])
        if n > len(drug):
            drug = torch.cat([drug, self._new_rows(inputs["drug_x"], len(drug))])
        drug = drug[node_ids["Drug"]] if "Drug" in node_ids else drug
        cell = self.cell[node_ids["CellLine"]] if "CellLine" in node_ids else self.cell
        return {"Drug": drug, "CellLine": cell}

    @torch.no_grad()
    def _new_rows(self, drug_x: torch.Tensor, n_graph: int) -> torch.Tensor:
        """Rows of the drugs after the graph's first ``n_graph`` (new compounds)."""
        fp = drug_x[:, : self.fp_bits].numpy() > 0
        return self.new_rows(fp[n_graph:], fp[torch.nonzero(self.donor).ravel().numpy()])

    @torch.no_grad()
    def new_rows(self, fp: np.ndarray, donor_fp: np.ndarray) -> torch.Tensor:
        """Columns ``[a | u | t]`` of new compounds (fingerprint bits ``fp``), mixed from the
        donor drugs (``donor_fp``: the donors' bits, in donor order)."""
        donors = torch.nonzero(self.donor).ravel()
        weights = drug_neighbour_weights(fp, donor_fp)
        rows = torch.from_numpy((weights @ self.drug[donors].numpy()).astype("float32"))
        return torch.cat([rows, self._thresholds(rows)[:, None]], dim=1)

    def _thresholds(self, rows: torch.Tensor) -> torch.Tensor:
        """``t`` of drug rows: their predicted 20th percentile (standardized) over every line."""
        z = self._z(rows[:, :1] + self.cell[:, 0][None] + rows[:, 1:] @ self.cell[:, 1:].T)
        return torch.quantile(z, SENSITIVE_QUANTILE, dim=1)

    def _z(self, centred: torch.Tensor) -> torch.Tensor:
        mu, y_mean, y_std = self.scale
        return (mu + centred - y_mean) / y_std

    def base(self, drug: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """The prior's standardized ln IC50 of pairs of prior columns."""
        return self._z(drug[:, 0] + cell[:, 0] + (drug[:, 1:-1] * cell[:, 1:]).sum(-1))

    def all_pairs(self, out: torch.Tensor | None, drug: torch.Tensor, cell: torch.Tensor
                  ) -> torch.Tensor:
        """:meth:`forward` of every (drug, cell) pair: ``out`` (n_drugs, n_cells, 2), or None
        for the prior alone."""
        z = self._z(drug[:, None, 0] + cell[None, :, 0] + drug[:, 1:-1] @ cell[:, 1:].T)
        y = z if out is None else z + self.s * out[..., 0]
        return torch.stack([y, self.g * (drug[:, None, -1] - y)], dim=-1)

    def forward(self, out: torch.Tensor | None, drug: torch.Tensor, cell: torch.Tensor,
                base: torch.Tensor | None = None) -> torch.Tensor:
        """The decoder's ``out`` (n, 2) corrected onto the prior (None: the prior alone);
        ``base`` replaces the prior's own z (training uses out-of-fold predictions)."""
        z = self.base(drug, cell) if base is None else base
        y = z if out is None else z + self.s * out[:, 0]
        return torch.stack([y, self.g * (drug[:, -1] - y)], dim=1)


# -- the model ----------------------------------------------------------------------------------
class LinkModel(nn.Module):
    """Inputs → encoder → decoder, built from a plain-dict ``config`` (stored in artifacts)."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        self.config = config
        hidden = config["hidden"]
        self.inputs = NodeInput(config["num_nodes"], hidden, config["drug_dim"],
                                config["cell_dim"], config.get("id_dropout", 0.2))
        edge_types = [tuple(et) for et in config["edge_types"]]
        self.encoder = resolve_encoder(config["model"])(
            list(config["num_nodes"]), edge_types, hidden=hidden, layers=config["layers"],
            dropout=config["dropout"], heads=config.get("heads", 2))
        self.decoder = resolve_decoder(config["decoder"])(hidden=hidden,
                                                          dropout=config["dropout"])
        self.prior = (TargetPrior(config.get("evidence_weight", EVIDENCE_WEIGHT))
                      if config.get("target_prior") else None)
        rank = config.get("response_prior", 0)
        self.response_prior = ResponsePrior(
            config["num_nodes"].get("Drug", 0), config["num_nodes"].get("CellLine", 0), rank,
            config.get("fp_bits", 0)) if rank else None

    def forward(self, inputs: dict[str, torch.Tensor], edge_index: dict[EdgeKey, torch.Tensor],
                node_ids: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
        """Node embeddings per label after message passing.

        With ``node_ids`` the graph is a relabeled subgraph holding those nodes only
        (see :class:`gnn.graph.Subgraph`), and embeddings come back in that order.
        """
        h = self.encoder(self.inputs(inputs, node_ids), edge_index)
        if self.response_prior is not None:
            for label, extra in self.response_prior.columns(inputs, node_ids).items():
                h[label] = torch.cat([h[label], extra], dim=1)
        return h

    @property
    def uses_encoder(self) -> bool:
        """Whether any score depends on the encoder's embeddings: not when the model has a
        prior whose correction weight ``s`` is exactly 0 (validation kept the untrained
        correction, so the model is its prior), and scoring may skip message passing. In
        training the correction always runs: its weight learns from it."""
        prior = self.prior if self.prior is not None else self.response_prior
        return self.training or prior is None or prior.s.item() != 0.0

    def respond_all(self, drug: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """:meth:`respond` of every (drug, cell line) pair, (n_drugs, n_cells, 2); decoders
        without an ``all_pairs`` form are run pair by pair."""
        hidden = self.config["hidden"] if self.response_prior is not None else drug.shape[1]
        if not self.uses_encoder:
            return self.response_prior.all_pairs(None, drug[:, hidden:], cell[:, hidden:])
        if hasattr(self.decoder, "all_pairs"):
            out = self.decoder.all_pairs(drug[:, :hidden], cell[:, :hidden])
        else:
            n_d, n_c = len(drug), len(cell)
            out = self.decoder(drug[:, :hidden].repeat_interleave(n_c, 0),
                               cell[:, :hidden].repeat(n_d, 1)).reshape(n_d, n_c, -1)
        if self.response_prior is None:
            return out
        return self.response_prior.all_pairs(out, drug[:, hidden:], cell[:, hidden:])

    def respond(self, drug: torch.Tensor, cell: torch.Tensor,
                base: torch.Tensor | None = None) -> torch.Tensor:
        """(standardized ln IC50, sensitivity logit) of (drug, cell line) embedding rows; with a
        response prior the rows carry its columns after the hidden ones."""
        if self.response_prior is None:
            return self.decoder(drug, cell)
        hidden = self.config["hidden"]
        out = self.decoder(drug[:, :hidden], cell[:, :hidden]) if self.uses_encoder else None
        return self.response_prior(out, drug[:, hidden:], cell[:, hidden:], base)
