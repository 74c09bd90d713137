using System.Security.Cryptography;

namespace Replicator.Core.Ecr.Http;

/// <summary>
/// A layer part already encoded as the start of an UploadLayerPart body, <c>{"layerPartBlob":"BASE64"</c>, with the
/// SHA-256 of those bytes carried so far. Every destination that sends the same part shares it: each appends only
/// its own members (registry, repository, upload id, byte range), so the part is base64-encoded and hashed once,
/// before its turn on the wire, however many destinations send it. JSON objects are unordered (RFC 8259, section 4),
/// which is what lets the shared blob come first.
/// </summary>
internal interface IEncodedLayerPart
{
    /// <summary>The body's first bytes: <c>{"layerPartBlob":"BASE64"</c>.</summary>
    ReadOnlyMemory<byte> Head { get; }

    /// <summary>The SHA-256 state after <see cref="Head"/>, for one body; the caller appends its members and disposes it.</summary>
    IncrementalHash CloneHeadHash();

    /// <summary>Keeps the part's buffer alive while a request body still reads it.</summary>
    void Retain();

    /// <summary>Gives back one <see cref="Retain"/>.</summary>
    void Release();
}
