"""Download every Hub model the tabs offer into the local Hugging Face cache, for a talk without
network (make prefetch).

    python -m demos.prefetch              # download what is missing
    python -m demos.prefetch --check      # offline: which of them the cache already holds

The work is shared/prefetch.py's; this app-level entry hands it the Hub models the tabs offer, so
`shared/` imports no demo.
"""

from __future__ import annotations

import sys

from demos import hub_models
from shared import prefetch

if __name__ == "__main__":
    sys.exit(prefetch.main(hub_models.offered()))
