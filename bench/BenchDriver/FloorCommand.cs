using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;

namespace BenchDriver;

/// <summary>
/// floor: the CPU a copy of N bytes cannot avoid, measured in .NET on this machine in the same run: SHA-256 of
/// the blob (the digest check), Base64 of it (UploadLayerPart carries the part as a JSON blob) and SHA-256 of
/// the encoded body (SigV4 signs the payload's hash). Done in 10 MiB parts, as the copy does. Prints the
/// process CPU seconds spent per GiB.
/// </summary>
internal static class FloorCommand
{
    public static int Run(Options options)
    {
        var total = options.GetLong("bytes", 256L * 1024 * 1024);
        const int Part = 10 * 1024 * 1024;
        var part = new byte[Part];
        new Random(7).NextBytes(part);
        var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(Part)];
        using var blobHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // Warm up (JIT, page faults) outside the measurement.
        SHA256.HashData(part);
        var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        for (long done = 0; done < total; done += Part)
        {
            var length = (int)Math.Min(Part, total - done);
            blobHash.AppendData(part.AsSpan(0, length));
            Base64.EncodeToUtf8(part.AsSpan(0, length), encoded, out _, out var written);
            SHA256.HashData(encoded.AsSpan(0, written));
        }

        blobHash.GetHashAndReset();
        process.Refresh();
        var seconds = (process.TotalProcessorTime - before).TotalSeconds;
        Console.WriteLine($"{seconds * (1024.0 * 1024 * 1024) / total:F3}");
        return 0;
    }
}
