"""Line and branch coverage of the production contracts, from anvil step traces.

Ape 0.8's `ape test --coverage` needs a pc map that ape-solidity 0.8.6 does not build, so the
pieces are here, small and separate:

- :mod:`.sourcemap`  bytecode instructions and solc's compressed source maps (pure);
- :mod:`.compile`    one solc standard-json compile with ASTs and source maps (cached in .build/);
- :mod:`.codeid`     which compiled contract a piece of code is (immutables and metadata masked);
- :mod:`.items`      statements and branches of the production sources, from the AST (pure);
- :mod:`.trace`      struct-log ingestion: executed pcs and JUMPI successors per contract code;
- :mod:`.measure`    hits -> covered/uncovered items (pure);
- :mod:`.report`     docs/coverage.md and reports/coverage.json;
- :mod:`.plugin`     the pytest plugin (DBIS_COVERAGE=1) that traces every transaction and call.
"""
