"""Content credentials for the provenance tab (issue 36), with `c2pa-python`: a generated picture signed
with a manifest that says what made it, read back and checked, all offline.

    signed = sign(png_bytes, model="gan-shapes", settings={"seed": 42}, when=datetime.now(UTC))
    found = read(signed)          # Credentials (the manifest's claims and the checks) or None
    read(re_encoded)              # None: a re-saved or screenshotted file has no manifest left
    edited = sign_edit(resized_png, signed, "c2pa.resized", editor="an editor")  # the chain survives an edit

The signer is the demo's TEST certificate chain (demos/provenance/test-credentials, written by
make_test_credentials.py; its keys are public): a reader that does not hold its root reports it as
untrusted, and so does this one, on purpose. Remote manifests and revocation (OCSP) are never fetched.
"""

from __future__ import annotations

import datetime
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from shared import limits

FOLDER = Path(__file__).parent / "test-credentials"
GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"  # IPTC: made by a trained model
MAX_BYTES = 20 * 2**20
_settings_lock = threading.Lock()
_configured = False


def _offline() -> None:
    """c2pa's settings are process-wide: set once, before the first sign or read."""
    global _configured
    import c2pa

    with _settings_lock:
        if not _configured:
            c2pa.load_settings(json.dumps({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}))
            _configured = True


def _mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    raise limits.LimitError("Content credentials are read and written here for PNG and JPEG files only.")


def sign(data: bytes, model: str, settings: dict, when: datetime.datetime) -> bytes:
    """The PNG or JPEG `data` with a signed manifest: created by `model` with `settings`, at `when`,
    digital source type trainedAlgorithmicMedia."""
    import c2pa

    _offline()
    mime = _mime(data)
    manifest = {
        "claim_generator_info": [{"name": "genai-demos (TEST credentials)", "version": "1"}],
        "title": f"{model} sample",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.created", "digitalSourceType": GENERATED, "when": when.isoformat(),
            "softwareAgent": {"name": model}, "parameters": {k: str(v) for k, v in settings.items()},
        }]}}],
    }
    out = io.BytesIO()
    c2pa.Builder(json.dumps(manifest)).sign(_signer(), mime, io.BytesIO(data), out)
    return out.getvalue()


def _signer():  # noqa: ANN202 (c2pa.Signer)
    import c2pa

    info = c2pa.C2paSignerInfo(alg="es256", sign_cert=(FOLDER / "signer-chain.pem").read_bytes(),
                               private_key=(FOLDER / "signer-key.pem").read_bytes(), ta_url=None)
    return c2pa.Signer.from_info(info)


def sign_edit(edited: bytes, parent: bytes, action: str, editor: str) -> bytes:
    """The edited picture `edited` (PNG or JPEG) signed by a credentials-aware editor: a manifest whose
    ingredient is the signed `parent` file (its manifest carried along) and whose actions are
    c2pa.opened, then `action` (e.g. c2pa.resized). The chain back to the generator survives the edit."""
    import c2pa

    _offline()
    manifest = {
        "claim_generator_info": [{"name": f"{editor} (TEST credentials)", "version": "1"}],
        "title": "edited picture",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}, {"action": action},
        ]}}],
    }
    builder = c2pa.Builder(json.dumps(manifest))
    builder.add_ingredient(json.dumps({"title": "the generated picture", "relationship": "parentOf", "label": "parent"}),
                           _mime(parent), io.BytesIO(parent))
    out = io.BytesIO()
    builder.sign(_signer(), _mime(edited), io.BytesIO(edited), out)
    return out.getvalue()


@dataclass(frozen=True)
class Credentials:
    title: str
    generated: bool  # the digital source type says a trained model made it
    agent: str  # the model named as the creator
    settings: dict[str, str]
    when: str
    signer: str  # the certificate's common name and organisation
    problems: tuple[str, ...]  # the validation codes that are not successes (e.g. signingCredential.untrusted)
    history: tuple[str, ...] = ()  # the actions, newest first, down the chain of parent ingredients

    @property
    def intact(self) -> bool:
        """The signature and the hash of the pixels check out (the signer may still be untrusted)."""
        return all(code == "signingCredential.untrusted" for code in self.problems)


def read(data: bytes) -> Credentials | None:
    """The active manifest of a PNG or JPEG file, or None if it carries none."""
    import c2pa

    if not isinstance(data, bytes | bytearray) or len(data) > MAX_BYTES:
        raise limits.LimitError(f"The file must be at most {MAX_BYTES // 2**20} MB.")
    _offline()
    try:
        store = json.loads(c2pa.Reader(_mime(bytes(data)), io.BytesIO(bytes(data))).json())
    except c2pa.C2paError as exc:
        if str(exc).startswith("ManifestNotFound"):  # c2pa's _C2paManifestNotFound: the file carries none
            return None
        raise limits.LimitError(f"The file's content credentials could not be read: {exc}") from None
    manifests = store["manifests"]
    chain = [manifests[store["active_manifest"]]]  # the active manifest, then its parents' (edits keep them)
    while len(chain) < 16:
        parent = next((i.get("active_manifest") for i in chain[-1].get("ingredients", []) if i.get("relationship") == "parentOf"), None)
        if parent not in manifests:
            break
        chain.append(manifests[parent])
    actions = [[a for assertion in m.get("assertions", []) if assertion["label"].startswith("c2pa.actions")
                for a in assertion["data"].get("actions", [])] for m in chain]
    created = next((a for acts in actions for a in acts if a.get("action") == "c2pa.created"), {})
    signature = chain[0].get("signature_info", {})
    return Credentials(
        title=chain[0].get("title", ""), generated=created.get("digitalSourceType") == GENERATED,
        agent=created.get("softwareAgent", {}).get("name", ""),
        settings=dict(created.get("parameters", {})), when=created.get("when", ""),
        signer=f"{signature.get('common_name', '?')} ({signature.get('issuer', '?')})",
        problems=tuple(s["code"] for s in store.get("validation_status", [])),
        history=tuple(a["action"] for acts in actions for a in reversed(acts)),
    )
