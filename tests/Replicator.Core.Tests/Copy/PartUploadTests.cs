using Replicator.Core.Copy;

namespace Replicator.Core.Tests.Copy;

public sealed class PartUploadTests
{
    [Fact]
    public async Task A_part_handed_out_just_as_the_token_fires_goes_back_to_the_pool()
    {
        var pool = new SharedPartPool(1);
        // The upload never reaches ECR here: it is cancelled before any part arrives.
        var target = new BlobCopyTarget(new BlobTarget(null!, null, "app"), progress: null);
        var upload = new PartUpload(target, new BlobToCopy("sha256:" + new string('a', 64), 3), partsInFlight: 1);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        // The token has fired, so the upload stops reading before it returns its task (no thread to race with). The
        // download checked the token just before it fired: it still writes its part, then completes the queue.
        var sender = upload.UploadPartsAsync(cancel.Token);
        var part = await pool.RentAsync(5 * 1024 * 1024, 0, CancellationToken.None);
        part.Append([1, 2, 3], final: true);
        part.Seal();
        Assert.True(upload.Parts.Writer.TryWrite(part));
        upload.Parts.Writer.TryComplete(new OperationCanceledException(cancel.Token));
        await sender;

        Assert.True(upload.Failed);
        Assert.Equal(0, pool.Alive);
    }
}
