"""The Jupyter Book website of the worked derivations."""
