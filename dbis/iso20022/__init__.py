"""The DBIS Engine X ISO 20022 proof package.

* :mod:`.config`   load and validate `config/proof-package/<network>.json` (parties, recipients);
* :mod:`.message`  the `head.001.001.03` + `pacs.008.001.13` message from pyiso20022's typed
                   bindings, one transaction per recipient, the DBIS proof data as SplmtryData;
* :mod:`.validate` XSD validation (vendored official schemas) and read-back into the bindings;
* :mod:`.package`  the whole package (plan, ISO XML, peg proof, audit envelope, proof hashes),
                   a pure function of its inputs; :mod:`.boundaries` what the package proves.
"""
