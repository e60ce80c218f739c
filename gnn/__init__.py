"""Graph ML for OncoKG: features, splits, models, training, evaluation, baselines, prediction.

The package sees the graph only through the contract's ``GraphExport``; it never talks to
Neo4j. Entry points: :func:`oncokg.gnn.train.train` and :class:`oncokg.gnn.predict.Predictor`.
"""

import warnings

# PyG 2.8 still scripts a few helpers with ``torch.jit.script``, which torch 2.15 deprecates
# with a FutureWarning on every import; nothing a user can act on.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated",
                        category=FutureWarning)
