using System.Net;
using System.Text;
using Replicator.Core.Ecr;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrErrorClassifierTests
{
    [Theory]
    [InlineData("RepositoryNotFoundException", "RepositoryNotFoundException")]
    [InlineData("com.amazonaws.ecr#RepositoryNotFoundException", "RepositoryNotFoundException")]
    [InlineData("aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "FooError")]
    [InlineData("FooError:http://internal.amazon.com/", "FooError")]
    [InlineData("  ThrottlingException  ", "ThrottlingException")]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    [InlineData("ns#", null)]
    public void Error_codes_are_normalised(string? raw, string? expected) =>
        Assert.Equal(expected, EcrErrorClassifier.NormalizeErrorCode(raw));

    [Theory]
    [InlineData("ThrottlingException", 400, true)]
    [InlineData("TooManyRequestsException", 400, true)]
    [InlineData("ThrottledException", 400, true)]
    [InlineData("RequestLimitExceeded", 400, true)]
    [InlineData("Throttling", 400, true)]
    [InlineData("ServerException", 500, true)]
    [InlineData("InternalFailure", 500, true)]
    [InlineData("ServiceUnavailable", 503, true)]
    [InlineData("UnknownError", 502, true)]
    [InlineData("UnknownError", 429, true)]
    [InlineData("RequestTimeout", null, true)]
    [InlineData("ConnectionFailure", null, true)]
    [InlineData("RepositoryNotFoundException", 400, false)]
    [InlineData("ImageTagAlreadyExistsException", 400, false)]
    [InlineData("ImageAlreadyExistsException", 400, false)]
    [InlineData("LayersNotFoundException", 400, false)]
    [InlineData("LimitExceededException", 400, true)]
    [InlineData("AccessDeniedException", 400, false)]
    [InlineData("UnrecognizedClientException", 400, false)]
    [InlineData("InvalidSignatureException", 403, false)]
    [InlineData("ExpiredTokenException", 400, false)]
    [InlineData("InvalidResponse", null, false)]
    public void Transient_verdict(string code, int? status, bool transient) =>
        Assert.Equal(transient, EcrErrorClassifier.IsTransient(code, (HttpStatusCode?)status));

    [Fact]
    public void Body_type_and_message_are_read()
    {
        var details = EcrErrorClassifier.Parse(HttpStatusCode.BadRequest, null, """{"__type":"RepositoryNotFoundException","message":"The repository with name 'app' does not exist"}"""u8);
        Assert.Equal(new EcrErrorDetails("RepositoryNotFoundException", "The repository with name 'app' does not exist", null), details);
    }

    [Fact]
    public void Header_wins_over_body_and_capitalised_Message_is_accepted()
    {
        var details = EcrErrorClassifier.Parse(HttpStatusCode.BadRequest, "ThrottlingException:http://internal", """{"__type":"Other","Message":"Rate exceeded"}"""u8);
        Assert.Equal("ThrottlingException", details.ErrorCode);
        Assert.Equal("Rate exceeded", details.Message);
    }

    [Fact]
    public void InvalidLayerPart_carries_last_valid_byte()
    {
        var details = EcrErrorClassifier.Parse(
            HttpStatusCode.BadRequest,
            null,
            """{"__type":"InvalidLayerPartException","registryId":"123456789012","repositoryName":"app","uploadId":"u","lastValidByteReceived":10485759,"message":"Invalid part"}"""u8);
        Assert.Equal(10_485_759L, details.LastValidByteReceived);
        Assert.Equal("InvalidLayerPartException", details.ErrorCode);
    }

    [Theory]
    [InlineData(500, "InternalFailure")]
    [InlineData(502, "InternalFailure")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(504, "RequestTimeout")]
    [InlineData(429, "ThrottlingException")]
    [InlineData(404, "UnknownError")]
    [InlineData(501, "UnknownError")]
    public void Without_body_or_header_the_code_comes_from_the_status(int status, string code)
    {
        var details = EcrErrorClassifier.Parse((HttpStatusCode)status, null, default);
        Assert.Equal(code, details.ErrorCode);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), details.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Members whose values are objects or arrays are skipped whole: a nested <c>__type</c> or <c>message</c> (a
    /// service's detail object, a list of field errors) must not be taken for the error's own, which would decide the
    /// retry and the reported cause from the wrong code.
    /// </summary>
    [Fact]
    public void Nested_objects_and_arrays_are_skipped_so_their_members_are_not_taken_for_the_errors_own()
    {
        var details = EcrErrorClassifier.Parse(
            HttpStatusCode.BadRequest,
            null,
            """{"detail":{"__type":"ThrottlingException","message":"inner"},"fieldList":[{"code":"Other","message":"field"}],"__type":"RepositoryNotFoundException","message":"outer"}"""u8);

        Assert.Equal("RepositoryNotFoundException", details.ErrorCode);
        Assert.Equal("outer", details.Message);
    }

    [Fact]
    public void A_truncated_or_html_body_still_gives_what_was_read()
    {
        Assert.Equal("RepositoryNotFoundException", EcrErrorClassifier.Parse(HttpStatusCode.BadRequest, null, """{"__type":"RepositoryNotFoundException","message":"The repo"""u8).ErrorCode);
        Assert.Equal("InternalFailure", EcrErrorClassifier.Parse(HttpStatusCode.BadGateway, null, "<html><body>Bad gateway</body></html>"u8).ErrorCode);
    }

    /// <summary>
    /// Cut between words: the lines that quote the message are redacted after the cut, and the half of a token the cut
    /// would leave is too short for the redaction's patterns.
    /// </summary>
    [Fact]
    public void Long_messages_are_cut_between_words_so_no_half_token_is_left()
    {
        var words = string.Concat(Enumerable.Repeat("word ", 200));
        var token = "IQoJb3JpZ2luX2VjEJr" + new string('A', 60);
        var body = Encoding.UTF8.GetBytes($$"""{"__type":"X","message":"{{words}}{{token}} and more"}""");

        var details = EcrErrorClassifier.Parse(HttpStatusCode.BadRequest, null, body);

        Assert.Equal(words.TrimEnd() + "...", details.Message);
        Assert.True(details.Message.Length <= EcrErrorClassifier.MaxMessageLength + 3);
    }

    [Fact]
    public void A_message_of_1024_characters_is_kept_whole()
    {
        var message = new string('m', 1024);
        var body = Encoding.UTF8.GetBytes($$"""{"__type":"X","message":"{{message}}"}""");
        Assert.Equal(message, EcrErrorClassifier.Parse(HttpStatusCode.BadRequest, null, body).Message);
    }
}
