"""The notebook layer: the `%%derivation` cell magic and what a cell of ours is."""
