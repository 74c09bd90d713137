using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace LocalEcr.Api;

/// <summary>
/// The decoded <c>layerPartBlob</c> of an UploadLayerPart body, in a buffer rented from the shared pool:
/// a 10 MiB part would otherwise be a fresh large-object-heap array per request (bench/profile.sh showed
/// the allocations and the gen 2 collections they cause). The base64 text is decoded straight from the
/// request's UTF-8 bytes; only a value with JSON escapes (a client whose encoder writes '+' as \u002B)
/// takes the unescaping path.
/// </summary>
internal sealed class LayerPartBlob : IDisposable
{
    private byte[]? _rented;

    private LayerPartBlob(byte[] buffer, int length, bool rented)
    {
        _rented = rented ? buffer : null;
        Bytes = buffer.AsMemory(0, length);
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public int Length => Bytes.Length;

    /// <summary>Decodes the member; null when it is not a base64 string.</summary>
    public static LayerPartBlob? TryDecode(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // The raw value of a string element keeps its quotes.
        var raw = JsonMarshal.GetRawUtf8Value(element)[1..^1];
        if (raw.Contains((byte)'\\'))
        {
            return element.TryGetBytesFromBase64(out var unescaped) ? new LayerPartBlob(unescaped, unescaped.Length, rented: false) : null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(raw.Length)));
        if (Base64.DecodeFromUtf8(raw, buffer, out _, out var written) != OperationStatus.Done)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }

        return new LayerPartBlob(buffer, written, rented: true);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
