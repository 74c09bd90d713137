#!/usr/bin/env python3
"""Writes the manifest fixtures with consistent digests (a child's digest in its index is sha256 over the exact
bytes of the child's file). Run from this folder; the output is committed, so tests never run this."""
import base64, hashlib, json

def h(name):  # a stable fake blob digest
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()

def write(name, obj, indent=3):
    text = json.dumps(obj, indent=indent)
    data = text.encode()
    open(name, "wb").write(data)
    return {"digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}

D2 = "application/vnd.docker.distribution.manifest.v2+json"
DL = "application/vnd.docker.distribution.manifest.list.v2+json"
OM = "application/vnd.oci.image.manifest.v1+json"
OI = "application/vnd.oci.image.index.v1+json"
base = {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 29124181, "digest": h("debian-base")}

amd = write("docker-v2-amd64.json", {"schemaVersion": 2, "mediaType": D2,
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": h("cfg-amd64")},
    "layers": [base,
        {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": h("app-amd64")},
        {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 73109, "digest": h("bin-amd64")}]})
arm = write("docker-v2-arm64.json", {"schemaVersion": 2, "mediaType": D2,
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7051, "digest": h("cfg-arm64")},
    "layers": [base,
        {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 31002, "digest": h("app-arm64")}]})
write("manifest-list.json", {"schemaVersion": 2, "mediaType": DL, "manifests": [
    {"mediaType": D2, **amd, "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": D2, **arm, "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}]})

oci_layers = [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": h("oci-l1"), "size": 3623807},
              {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": h("oci-l2"), "size": 1200}]
oamd = write("oci-manifest.json", {"schemaVersion": 2, "mediaType": OM,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": h("oci-cfg-amd64"), "size": 1470},
    "layers": oci_layers,
    "annotations": {"org.opencontainers.image.created": "2026-11-01T10:00:00Z"}}, indent=2)
write("oci-manifest-no-mediatype.json", {"schemaVersion": 2,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": h("oci-cfg-nomt"), "size": 1470},
    "layers": oci_layers[:1]}, indent=2)
oarm = write("oci-manifest-arm64.json", {"schemaVersion": 2, "mediaType": OM,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": h("oci-cfg-arm64"), "size": 1480},
    "layers": [oci_layers[0], {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": h("oci-l2-arm64"), "size": 5000}]}, indent=2)
oarm7 = write("oci-manifest-armv7.json", {"schemaVersion": 2, "mediaType": OM,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": h("oci-cfg-armv7"), "size": 1490},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": h("oci-l1-armv7"), "size": 3500000}]}, indent=2)
inner = write("oci-index-inner.json", {"schemaVersion": 2, "mediaType": OI, "manifests": [
    {"mediaType": OM, **oarm, "platform": {"architecture": "arm64", "os": "linux"}},
    {"mediaType": OM, **oarm7, "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}}]}, indent=2)
outer = write("oci-index-nested.json", {"schemaVersion": 2, "mediaType": OI, "manifests": [
    {"mediaType": OM, **oamd, "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": OI, **inner}]}, indent=2)

# buildx: image + attestation manifest (in-toto layers) in one index
att = write("buildx-attestation-manifest.json", {"schemaVersion": 2, "mediaType": OM,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": h("att-cfg"), "size": 167},
    "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": h("att-provenance"), "size": 11250,
                "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}},
               {"mediaType": "application/vnd.in-toto+json", "digest": h("att-sbom"), "size": 48100,
                "annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}]}, indent=2)
write("buildx-index.json", {"schemaVersion": 2, "mediaType": OI, "manifests": [
    {"mediaType": OM, **oamd, "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": OM, **att, "annotations": {"vnd.docker.reference.digest": oamd["digest"],
        "vnd.docker.reference.type": "attestation-manifest"}, "platform": {"architecture": "unknown", "os": "unknown"}}]}, indent=2)

# OCI artifact referring to the amd64 image, with the empty config inline
empty = b"{}"
write("oci-artifact.json", {"schemaVersion": 2, "mediaType": OM, "artifactType": "application/spdx+json",
    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:" + hashlib.sha256(empty).hexdigest(),
               "size": 2, "data": base64.b64encode(empty).decode()},
    "layers": [{"mediaType": "application/spdx+json", "digest": h("sbom"), "size": 20480,
                "annotations": {"org.opencontainers.image.title": "sbom.spdx.json"}}],
    "subject": {"mediaType": OM, **oamd},
    "annotations": {"org.opencontainers.image.created": "2026-11-01T10:05:00Z"}}, indent=2)
# a notation-style signature on the nested index
write("signature-on-index.json", {"schemaVersion": 2, "mediaType": OM, "artifactType": "application/vnd.cncf.notary.signature",
    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:" + hashlib.sha256(empty).hexdigest(), "size": 2},
    "layers": [{"mediaType": "application/jose+json", "digest": h("jws"), "size": 2090}],
    "subject": {"mediaType": OI, **outer}}, indent=2)

# Windows image with foreign layers
write("docker-v2-foreign-layers.json", {"schemaVersion": 2, "mediaType": D2,
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1920, "digest": h("win-cfg")},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 1502345678, "digest": h("win-base"),
                "urls": ["https://mcr.microsoft.com/v2/windows/servercore/blobs/" + h("win-base")]},
               {"mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "size": 9000000, "digest": h("win-update"),
                "urls": ["https://mcr.microsoft.com/v2/windows/servercore/blobs/" + h("win-update")]},
               {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 4312, "digest": h("win-app")}]})

# Signed schema 1 (libtrust JWS): the payload is the signed text without signatures up to formatLength, then formatTail
empty_tar = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
payload = json.dumps({"schemaVersion": 1, "name": "team/legacy", "tag": "1.0", "architecture": "amd64",
    "fsLayers": [{"blobSum": empty_tar}, {"blobSum": h("legacy-app")}, {"blobSum": empty_tar}, {"blobSum": h("legacy-base")}],
    "history": [{"v1Compatibility": json.dumps({"id": "e" * 64, "created": "2016-01-01T00:00:00Z"})} for _ in range(4)]}, indent=3)
b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
fl = payload.rindex("\n}")
tail = payload[fl:]
protected = b64u(json.dumps({"formatLength": fl, "formatTail": b64u(tail.encode()), "time": "2016-01-01T00:00:00Z"}).encode())
sig = [{"header": {"jwk": {"crv": "P-256", "kid": "ABCD:EFGH", "kty": "EC", "x": b64u(b"x" * 32), "y": b64u(b"y" * 32)}, "alg": "ES256"},
        "signature": b64u(b"s" * 64), "protected": protected}]
signed = payload[:fl] + ',\n   "signatures": ' + json.dumps(sig, indent=3).replace("\n", "\n   ") + tail
open("schema1-signed.json", "wb").write(signed.encode())
open("schema1-signed.payload-digest", "w").write("sha256:" + hashlib.sha256(payload.encode()).hexdigest())
