"""The JSON documents ``vqa … --json`` prints: attrs classes are their schema.

One module per stage of the pipeline (:mod:`.acquire`, :mod:`.tables`, :mod:`.learn`,
:mod:`.corpora`, :mod:`.demo`) and the error document (:mod:`.failure`); every class
derives from :class:`.base.Result`. :mod:`.registry` lists them all and reads a document
back strictly; :mod:`.reference` writes docs/cli.md's field tables from them. Nothing is
imported here, so a command loads only the module of its own document.
"""
