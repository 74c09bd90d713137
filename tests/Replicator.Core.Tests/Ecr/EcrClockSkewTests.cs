using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// The ECR client's clock skew correction on the wire: a skew refusal with a Date re-signs on the corrected clock
/// and is sent once more, and every later request of the client is signed on that clock.
/// </summary>
public sealed class EcrClockSkewTests
{
    private const string Expired = """{"__type":"InvalidSignatureException","message":"Signature expired: 20250304T050607Z is now earlier than 20250304T052107Z (20250304T052607Z - 5 min.)"}""";

    // TestClients.Now is 2025-03-04T05:06:07Z; the service's clock is 20 minutes ahead.
    private const string ServerDate = "Tue, 04 Mar 2025 05:26:07 GMT";

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task A_skew_refusal_with_a_Date_is_signed_again_on_the_corrected_clock_and_later_calls_use_it(HttpStatusCode status)
    {
        var handler = new RecordingHandler()
            .Respond(status, Expired, ("Date", ServerDate))
            .RespondOk("""{"repositories":[]}""");
        var client = TestClients.Create(handler);

        await client.DescribeRepositoriesAsync(new DescribeRepositoriesRequest());
        await client.DescribeRepositoriesAsync(new DescribeRepositoriesRequest());

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("20250304T050607Z", handler.Requests[0].Header("X-Amz-Date"));
        Assert.Equal("20250304T052607Z", handler.Requests[1].Header("X-Amz-Date"));
        Assert.Equal("20250304T052607Z", handler.Requests[2].Header("X-Amz-Date"));
        Assert.Contains("Credential=AKIDEXAMPLE/20250304/eu-west-1/ecr/aws4_request", handler.Requests[1].Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(handler.Requests[0].BodyText, handler.Requests[1].BodyText);
    }

    [Fact]
    public async Task A_second_skew_refusal_on_the_resend_surfaces_and_is_not_sent_again()
    {
        // Each answer is dated 20 minutes past the time the request was signed with, so each is a skew and each
        // corrects the clock: only the call's one correction resend bounds the sends.
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.Forbidden, Expired, ("Date", ServerDate))
            .Respond(HttpStatusCode.Forbidden, Expired, ("Date", "Tue, 04 Mar 2025 05:46:07 GMT"));
        var client = TestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));

        Assert.Equal("InvalidSignatureException", ex.ErrorCode);
        Assert.Equal(2, handler.Requests.Count);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task A_skew_refusal_without_a_Date_surfaces_as_before()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.Forbidden, Expired);
        var client = TestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));

        Assert.Equal("InvalidSignatureException", ex.ErrorCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_skew_refusal_then_an_expired_token_gets_both_resends_within_one_call()
    {
        // A host clock off by 20 minutes also misjudges its session's expiry: after the correction ECR may answer
        // ExpiredTokenException, which refreshes the credentials once, as without skew.
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.Forbidden, Expired, ("Date", ServerDate))
            .Respond(HttpStatusCode.BadRequest, """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""", ("Date", ServerDate))
            .RespondOk("""{"repositories":[]}""");
        var client = TestClients.Create(handler);

        await client.DescribeRepositoriesAsync(new DescribeRepositoriesRequest());

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("20250304T052607Z", handler.Requests[2].Header("X-Amz-Date"));
    }
}
