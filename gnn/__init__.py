"""Graph ML for OncoKG: features, splits, models, training, evaluation, baselines, prediction.

The package sees the graph only through ``kg.export.GraphExport``; it never talks to Neo4j.
Entry points: :func:`gnn.train.train` and :class:`gnn.predict.Predictor`.
"""
