"""Many plans of one case: compare solved plans along a ``scenario`` dimension
(:mod:`.compare`, reading or solving them: :mod:`.compare_load`), re-solve a changed case warm
(:mod:`.resolve`: the Resolver — the array diff on the matrix backend, table handlers and a
rebuild on the Pyomo backend) and sweep variations on Dask (:mod:`.sweep`, :mod:`.sweep_vary`)."""
