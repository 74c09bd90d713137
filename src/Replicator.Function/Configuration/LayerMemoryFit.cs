using System.Globalization;

namespace Replicator.Function.Configuration;

/// <summary>
/// MAX_PARALLEL_LAYERS lowered to what the function's memory holds. Lambda stops a function that goes over its
/// memory size ("Runtime exited with error: signal: killed"): the whole batch comes back after the visibility timeout,
/// is killed again on the same large image, and reaches the dead-letter queue through SQS's redrive, without a reason.
/// Copying fewer blobs at once is slower but copies, so a setting the memory cannot hold is lowered, and said once at
/// init (<see cref="Warning"/>), rather than refused: nothing else is wrong with the configuration.
/// </summary>
/// <param name="Requested">MAX_PARALLEL_LAYERS as configured.</param>
/// <param name="Allowed">The most blobs at once the memory holds, at least 1 (Lambda's smallest size holds one).</param>
/// <param name="MemoryMegabytes">AWS_LAMBDA_FUNCTION_MEMORY_SIZE.</param>
/// <param name="BytesPerBlob">The part buffers one blob in flight takes (ReplicatorOptions.PartBufferBytesPerBlob).</param>
public sealed record LayerMemoryFit(int Requested, int Allowed, int MemoryMegabytes, long BytesPerBlob)
{
    /// <summary>
    /// The memory size Lambda gives the function in MB, set in every execution environment ("Defined runtime
    /// environment variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
    /// </summary>
    public const string Variable = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";

    /// <summary>
    /// The bootstrap's memory besides the part pool, in MiB (Lambda's "MB"): its peak RSS with 3 destinations x 4 layers
    /// of 64 MiB was 140.6 MiB with the pool's 8 parts alive (106.7 MiB), so about 34 MiB for the runtime, the HTTP
    /// stack and the manifests (docs/performance.md); 40 leaves room for TLS buffers and the garbage collector's
    /// headroom, which the loopback benchmark does not exercise.
    /// </summary>
    public const int BaselineMegabytes = 40;

    private const double BytesPerMegabyte = 1024 * 1024;

    public bool Lowered => Allowed < Requested;

    /// <summary>
    /// The fit of <paramref name="requested"/> blobs, each adding <paramref name="bytesPerBlob"/> of part buffers, in
    /// the memory AWS_LAMBDA_FUNCTION_MEMORY_SIZE gives; null when the variable is unset (outside Lambda: a local run,
    /// the CLI's demo) or not a positive whole number.
    /// </summary>
    public static LayerMemoryFit? For(int requested, long bytesPerBlob, string? memorySize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerBlob, 1);
        if (!int.TryParse(memorySize, NumberStyles.None, CultureInfo.InvariantCulture, out var memory) || memory < 1)
        {
            return null;
        }

        var fits = (long)((memory - BaselineMegabytes) * BytesPerMegabyte / bytesPerBlob);
        return new LayerMemoryFit(requested, (int)Math.Clamp(fits, 1, requested), memory, bytesPerBlob);
    }

    /// <summary>The init WARN when the setting was lowered: what was asked, what the memory holds, and both remedies.</summary>
    public string? Warning => Lowered
        ? string.Create(
            CultureInfo.InvariantCulture,
            $"MAX_PARALLEL_LAYERS {Requested} needs about {Needed(Requested)} MB of memory ({BaselineMegabytes} MB + {BytesPerBlob / BytesPerMegabyte:0.#} MB per blob in flight), "
            + $"but the function has {MemoryMegabytes} MB ({Variable}): copying {Allowed} blob(s) at once so that a large image is not stopped for lack of memory. "
            + $"Raise FunctionMemorySize to at least {Needed(Requested)}, or set MaxParallelLayers to {Allowed}, to silence this")
        : null;

    private long Needed(int blobs) => BaselineMegabytes + (long)Math.Ceiling(blobs * BytesPerBlob / BytesPerMegabyte);
}
