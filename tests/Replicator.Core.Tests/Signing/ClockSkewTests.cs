using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

/// <summary>
/// The clock skew decision over the refusals AWS sends (texts as clients logged them, sources in
/// <see cref="ClockSkew"/>) and the Date header's IMF-fixdate.
/// </summary>
public sealed class ClockSkewTests
{
    private static readonly DateTimeOffset Local = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // (code, message) as services answer a request signed too far from their clock.
    public static TheoryData<string, string> SkewRefusals => new()
    {
        { "InvalidSignatureException", "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)" },
        { "InvalidSignatureException", "Signature not yet current: 20260101T000000Z is still later than 20251231T234500Z (20251231T234000Z + 5 min.)" },
        { "SignatureDoesNotMatch", "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T002000Z - 15 min.)" },
        { "RequestTimeTooSkewed", "The difference between the request time and the current time is too large." },
        { "RequestExpired", "Request has expired." },
        { "RequestInTheFuture", "Request is not yet valid." },
        { "AuthFailure", "AWS was not able to validate the provided access credentials" },
        { "invalidsignatureexception", "codes are compared without case, as the SDK for .NET does" },
        { "UnknownError", "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)" },
    };

    [Theory]
    [MemberData(nameof(SkewRefusals))]
    public void A_skew_refusal_with_a_Date_20_minutes_away_gives_the_offset_from_the_local_clock(string code, string message)
    {
        var ahead = Date("Thu, 01 Jan 2026 00:20:00 GMT");
        var behind = Date("Wed, 31 Dec 2025 23:40:00 GMT");

        Assert.True(ClockSkew.IsSkewError(code, message));
        Assert.Equal(TimeSpan.FromMinutes(20), ClockSkew.Offset(code, message, ahead, signedAt: Local, localNow: Local));
        Assert.Equal(TimeSpan.FromMinutes(-20), ClockSkew.Offset(code, message, behind, signedAt: Local, localNow: Local));

        // The offset is from the uncorrected clock at the answer: a request signed with an older correction, answered
        // 2 s after it was sent, replaces that correction.
        var signedWithOldOffset = Local + TimeSpan.FromMinutes(7);
        Assert.Equal(
            TimeSpan.FromMinutes(20) - TimeSpan.FromSeconds(2),
            ClockSkew.Offset(code, message, ahead, signedWithOldOffset, Local + TimeSpan.FromSeconds(2)));
    }

    [Theory]
    [InlineData("ThrottlingException", "Rate exceeded")]
    [InlineData("ExpiredTokenException", "The security token included in the request is expired")]
    [InlineData("UnrecognizedClientException", "The security token included in the request is invalid.")]
    [InlineData("AccessDeniedException", "User is not authorized to perform: ecr:PutImage")]
    [InlineData("RepositoryNotFoundException", "The repository with name 'app' does not exist")]
    public void Another_refusal_is_no_skew_whatever_the_Date(string code, string message)
    {
        Assert.False(ClockSkew.IsSkewError(code, message));
        Assert.Null(ClockSkew.Offset(code, message, Date("Thu, 01 Jan 2026 00:20:00 GMT"), Local, Local));
    }

    [Theory]
    [InlineData("Thu, 01 Jan 2026 00:05:00 GMT")]
    [InlineData("Wed, 31 Dec 2025 23:55:00 GMT")]
    [InlineData("Thu, 01 Jan 2026 00:00:00 GMT")]
    public void A_skew_code_with_a_Date_within_5_minutes_of_the_signature_is_no_skew(string date)
    {
        // e.g. RequestExpired for a presigned URL past its expiry, or a wrong secret: a new clock would not help.
        Assert.Null(ClockSkew.Offset("InvalidSignatureException", "The request signature we calculated does not match", Date(date), Local, Local));
        Assert.Null(ClockSkew.Offset("RequestExpired", "Request has expired.", Date(date), Local, Local));
    }

    [Fact]
    public void A_skew_refusal_without_a_Date_is_not_corrected() =>
        Assert.Null(ClockSkew.Offset("InvalidSignatureException", "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)", null, Local, Local));

    [Fact]
    public void The_signing_clock_takes_the_offset_once_and_a_refusal_on_the_corrected_clock_changes_nothing()
    {
        var time = new FakeTimeProvider(Local);
        var clock = new SigningClock(time);
        var server = Date("Thu, 01 Jan 2026 00:20:00 GMT");
        Assert.Equal(Local, clock.UtcNow);

        Assert.True(clock.TryCorrect("InvalidSignatureException", "Signature not yet current: ...", server, clock.UtcNow));
        Assert.Equal(TimeSpan.FromMinutes(20), clock.Offset);
        Assert.Equal(server, clock.UtcNow);

        // Signed on the corrected clock, the refusal is not a skew (a wrong secret, say): the offset stays.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(clock.TryCorrect("InvalidSignatureException", "The request signature we calculated does not match", server.AddSeconds(30), clock.UtcNow));
        Assert.Equal(TimeSpan.FromMinutes(20), clock.Offset);
        Assert.Equal(server.AddSeconds(30), clock.UtcNow);
    }

    // The Date header's IMF-fixdate (RFC 9110 section 5.6.7), parsed as HttpClient does for HttpResponseHeaders.Date.
    private static DateTimeOffset Date(string imfFixdate) =>
        DateTimeOffset.ParseExact(imfFixdate, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
