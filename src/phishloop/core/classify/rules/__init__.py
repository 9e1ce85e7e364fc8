"""The rules of the verdict engine, one family per module; each module exports `RULES`.
The order of the chain is declared in `phishloop.core.classify.chain`."""
