"""Deploy a snapshot of the working tree to a Hugging Face Space, or check one offline (make deploy).

    python -m demos.deploy --space <user>/<name> --dry-run      # offline: the file report and checks
    python -m demos.deploy --space <user>/<name>                # create the Space if needed, upload

The work is shared/deploy.py's; this app-level entry hands it the Hub models the tabs offer, so
`shared/` imports no demo.
"""

from __future__ import annotations

import sys

from demos import hub_models
from shared import deploy

if __name__ == "__main__":
    sys.exit(deploy.main(hub_models.all_ids()))
