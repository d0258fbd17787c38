"""Operations every entry point (trading, admin API, UI, CLI) calls; none of them reads `request`.

Each public function is one unit of work: it validates plain values, changes the database,
commits, and returns models or raises a DomainError.
"""
