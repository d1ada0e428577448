"""The forms kit: each form is also a data schema; filled records are read, checked, added up and printed.

One way through: model (forms) → record schema (:mod:`.schema`) → records (:mod:`.read`, :mod:`.check`,
:mod:`.stats`) → output (:mod:`.xlsx`, filled PDF through :mod:`wugu.render.pdf`). Filled records are never
published: nothing here writes into the site output, and files written are readable by their owner only.
"""
