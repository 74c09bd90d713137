using Replicator.Function.Observability;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Observability;

public class RecordLogFieldsTests
{
    /// <summary>
    /// A line about a record as a whole (dead-lettered, not started) names the image its body names, each field in its
    /// place, so a search by repository, tag or digest finds it as it finds the per-destination lines.
    /// </summary>
    [Fact]
    public void A_valid_body_names_its_repository_tag_and_digest()
    {
        var fields = RecordLogFields.Of(E.Record("m-1", E.Body(repository: "team/app", tag: "v1", digest: E.OtherDigest)), "r-1");

        Assert.Equal(new LogFields { RequestId = "r-1", MessageId = "m-1", Repository = "team/app", Tag = "v1", Digest = E.OtherDigest }, fields.Fields);
        Assert.Null(fields.ParseError);
        Assert.Equal(string.Empty, fields.Note);
    }
}
