"""Write the provenance demo's TEST credentials (demos/provenance/test-credentials/): a root CA and a
signing certificate it issued, ES256 (P-256), valid 2026-2036, every name saying TEST ONLY.

    python -m demos.provenance.make_test_credentials

They exist so the demo can sign content credentials offline. Their private keys are public (they are
in this repository): anything they sign proves nothing outside this demo, and the tab says so. C2PA
readers refuse a self-signed signer, hence a chain of two.
"""

from __future__ import annotations

import datetime
from pathlib import Path

FOLDER = Path(__file__).parent / "test-credentials"


def _name(common_name: str):  # noqa: ANN202 (x509.Name)
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "genai-demos TEST ONLY"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "FOR TESTING ONLY, NOT TRUSTED")])


def _usage(signing: bool):  # noqa: ANN202 (x509.KeyUsage)
    from cryptography import x509

    return x509.KeyUsage(digital_signature=signing, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not signing, crl_sign=not signing,
                         encipher_only=False, decipher_only=False)


def main() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(2036, 1, 1, tzinfo=datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("genai-demos TEST root CA")).issuer_name(_name("genai-demos TEST root CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_usage(signing=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    signer = (x509.CertificateBuilder().subject_name(_name("genai-demos TEST signer")).issuer_name(ca.subject)
              .public_key(key.public_key()).serial_number(2).not_valid_before(start).not_valid_after(end)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(_usage(signing=True), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    FOLDER.mkdir(exist_ok=True)
    pem = serialization.Encoding.PEM
    (FOLDER / "root-ca.pem").write_bytes(ca.public_bytes(pem))
    (FOLDER / "signer-chain.pem").write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))
    (FOLDER / "signer-key.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))
    print(f"wrote {FOLDER}")


if __name__ == "__main__":
    main()
