using Replicator.Core.Copy;

namespace Replicator.Core.Tests.Copy;

/// <summary>Parts of the engine's pool for the tests of what takes them (the hand-out, an upload).</summary>
internal static class TestParts
{
    /// <summary>A sealed part of three bytes starting at <paramref name="start"/>, held by the caller.</summary>
    public static async Task<SharedPart> SealedAsync(SharedPartPool pool, long start)
    {
        var part = await pool.RentAsync(5 * 1024 * 1024, start, CancellationToken.None);
        part.Append([1, 2, 3], final: true);
        part.Seal();
        return part;
    }
}
