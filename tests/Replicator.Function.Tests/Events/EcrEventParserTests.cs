using Replicator.Function.Events;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Events;

public class EcrEventParserTests
{
    [Fact]
    public void Parses_a_push()
    {
        var parsed = EcrEventParser.Parse(E.Body(tag: "v1.0.0"));
        Assert.Equal("000000000000", parsed.Account);
        Assert.Equal("us-east-1", parsed.Region);
        Assert.Equal("PUSH", parsed.ActionType);
        Assert.Equal("SUCCESS", parsed.Result);
        Assert.Equal("my-app", parsed.RepositoryName);
        Assert.Equal(E.Digest, parsed.Digest);
        Assert.Equal("v1.0.0", parsed.Tag);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero), parsed.Time);
        Assert.Equal("13cde686-328b-6117-af20-0e5566167482", parsed.Id);
    }

    [Fact]
    public void A_push_without_tag_parses_with_a_null_tag()
    {
        Assert.Null(EcrEventParser.Parse(E.Body(tag: null)).Tag);
    }

    /// <summary>
    /// A push by digest as real ECR sends it: image-tag present and empty, with the media-type members the documented
    /// example lacks (the shape of the events quoted in https://github.com/awslabs/cfn-ecr-aws-soci-index-builder/pull/137).
    /// It is an untagged push, not a bad tag for the dead-letter queue.
    /// </summary>
    [Fact]
    public void An_empty_image_tag_as_ecr_sends_for_a_push_by_digest_parses_as_untagged()
    {
        const string body = """
            {"version":"0","id":"446d9337-ebe2-cf4f-42e6-42be36883bbd","detail-type":"ECR Image Action","source":"aws.ecr",
             "account":"123456789012","time":"2025-09-25T12:38:33Z","region":"eu-central-1","resources":[],
             "detail":{"result":"SUCCESS","repository-name":"team/app",
               "image-digest":"sha256:2c2c0c11d801b86cfd661f214721d7a40c5368dc3c5777dd7c5f3f37860d4f4d","action-type":"PUSH",
               "artifact-media-type":"application/vnd.oci.image.config.v1+json","image-tag":"",
               "manifest-media-type":"application/vnd.oci.image.manifest.v1+json"}}
            """;

        var parsed = EcrEventParser.Parse(body);

        Assert.Null(parsed.Tag);
        Assert.Equal("team/app", parsed.RepositoryName);
        Assert.Equal("sha256:2c2c0c11d801b86cfd661f214721d7a40c5368dc3c5777dd7c5f3f37860d4f4d", parsed.Digest);
    }

    [Fact]
    public void A_referrer_action_parses_as_an_image_action_of_the_same_detail()
    {
        var parsed = EcrEventParser.Parse(E.Body(tag: null, detailType: "ECR Referrer Action"));

        Assert.Equal(EcrEventParser.Parse(E.Body(tag: null)), parsed);
    }

    [Fact]
    public void The_reference_examples_shortened_digest_is_refused()
    {
        // AWS's documented example with a shortened digest is refused: full digests only.
        var body = E.Body(digest: "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234");
        Assert.Equal("image-digest", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body)).Field);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("not json", "body")]
    [InlineData("{\"source\":", "body")]
    [InlineData("[1,2]", "body")]
    [InlineData("\"a string\"", "body")]
    [InlineData("{}", "source")]
    [InlineData("{\"source\":42}", "source")]
    [InlineData("{\"source\":\"aws.s3\"}", "source")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Scan\"}", "detail-type")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Replication Action\"}", "detail-type")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"account\":\"1\",\"region\":\"us-east-1\"}", "account")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"account\":\"000000000000\",\"region\":\"nowhere\"}", "region")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"account\":\"000000000000\",\"region\":\"us-east-1\"}", "detail")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"account\":\"000000000000\",\"region\":\"us-east-1\",\"detail\":[]}", "detail")]
    [InlineData("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"account\":\"000000000000\",\"region\":\"us-east-1\",\"time\":\"yesterday\",\"detail\":{}}", "time")]
    public void Malformed_bodies_name_the_field(string body, string field)
    {
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body));
        Assert.Equal(field, error.Field);
    }

    /// <summary>
    /// RFC 3339's date-time, section 5.6, in the forms it allows: the parsed instant is the one written, in UTC.
    /// </summary>
    [Theory]
    [InlineData("2025-09-25T12:38:33Z", "2025-09-25T12:38:33.0000000+00:00")]
    [InlineData("2025-09-25t12:38:33z", "2025-09-25T12:38:33.0000000+00:00")]
    [InlineData("2025-09-25T12:38:33.25Z", "2025-09-25T12:38:33.2500000+00:00")]
    [InlineData("2025-09-25T14:38:33+02:00", "2025-09-25T12:38:33.0000000+00:00")]
    [InlineData("2025-09-25T08:08:33.5-04:30", "2025-09-25T12:38:33.5000000+00:00")]
    public void An_rfc_3339_time_is_read_as_the_instant_it_names(string time, string expected)
    {
        var parsed = EcrEventParser.Parse(E.Body(time: time)).Time;

        Assert.Equal(expected, parsed?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Forms a lenient parse read as some instant (a culture's date, a date alone, no offset, an HTTP date) are refused
    /// naming the field and the value: the latency measured from them would be wrong without a word.
    /// </summary>
    [Theory]
    [InlineData("09/25/2025 12:38:33")]
    [InlineData("2025-09-25")]
    [InlineData("2025-09-25T12:38:33")]
    [InlineData("2025-09-25 12:38:33Z")]
    [InlineData("Thu, 25 Sep 2025 12:38:33 GMT")]
    [InlineData("2025-09-25T12:38Z")]
    public void A_time_that_is_not_rfc_3339_is_refused_naming_it(string time)
    {
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(E.Body(time: time)));

        Assert.Equal("time", error.Field);
        Assert.Contains($"time '{time}' is not an RFC 3339 timestamp", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// RFC 3339 puts no limit on the fraction's digits (section 5.6, <c>time-secfrac = "." 1*DIGIT</c>), and a time with
    /// nanoseconds (Go's RFC3339Nano, Java's Instant) is one: read to the 100 ns tick .NET keeps, not refused, which
    /// would send the event to the dead-letter queue and leave its image uncopied.
    /// </summary>
    [Theory]
    [InlineData("2026-12-07T08:00:00.12345678Z", "2026-12-07T08:00:00.1234567+00:00")]
    [InlineData("2026-12-07T08:00:00.123456789Z", "2026-12-07T08:00:00.1234567+00:00")]
    [InlineData("2026-12-07T09:00:00.000000000001+01:00", "2026-12-07T08:00:00.0000000+00:00")]
    public void An_rfc_3339_time_with_more_fraction_digits_than_a_tick_is_read_to_the_tick(string time, string expected)
    {
        var parsed = EcrEventParser.Parse(E.Body(time: time)).Time;

        Assert.Equal(expected, parsed?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Forms .NET's exact parse lets through that RFC 3339 does not have: an offset without its colon or with one hour
    /// digit (<c>time-numoffset = ("+" / "-") time-hour ":" time-minute</c>, two digits each), a full stop with no digit.
    /// </summary>
    [Theory]
    [InlineData("2026-12-07T08:00:00+0100")]
    [InlineData("2026-12-07T08:00:00+1:00")]
    [InlineData("2026-12-07T08:00:00.Z")]
    [InlineData("2026-12-07T08:00:00.+01:00")]
    public void A_time_with_an_offset_or_fraction_rfc_3339_does_not_allow_is_refused(string time)
    {
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(E.Body(time: time)));

        Assert.Equal("time", error.Field);
        Assert.Contains($"time '{time}' is not an RFC 3339 timestamp", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("account", "12345678901")]
    [InlineData("region", "US-EAST-1")]
    public void Invalid_envelope_fields_are_refused(string field, string value)
    {
        var body = field == "account" ? E.Body(account: value) : E.Body(region: value);
        Assert.Equal(field, Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body)).Field);
    }

    [Theory]
    [InlineData("repository-name", "My_Repo")]
    [InlineData("repository-name", "a")]
    [InlineData("repository-name", "../etc")]
    [InlineData("image-digest", "sha256:XYZ")]
    [InlineData("image-digest", "md5:0123")]
    [InlineData("image-tag", "tag with space")]
    [InlineData("image-tag", "a/b")]
    [InlineData("action-type", "push")]
    [InlineData("action-type", "")]
    [InlineData("result", "success!")]
    public void Invalid_detail_fields_are_refused(string field, string value)
    {
        var body = field switch
        {
            "repository-name" => E.Body(repository: value),
            "image-digest" => E.Body(digest: value),
            "image-tag" => E.Body(tag: value),
            "action-type" => E.Body(action: value),
            _ => E.Body(result: value),
        };
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_missing_digest_is_refused_for_a_successful_action_but_not_for_a_failed_one()
    {
        var successful = E.Body().Replace($"\"image-digest\":\"{E.Digest}\",", string.Empty, StringComparison.Ordinal);
        Assert.Equal("image-digest", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(successful)).Field);

        var failed = E.Body(result: "FAILURE").Replace($"\"image-digest\":\"{E.Digest}\",", string.Empty, StringComparison.Ordinal);
        Assert.Null(EcrEventParser.Parse(failed).Digest);
    }

    [Fact]
    public void Oversized_bodies_are_refused_before_parsing()
    {
        var body = E.Body().Replace("\"resources\":[]", "\"resources\":[\"" + new string('a', EcrEventParser.MaxBodyLength) + "\"]", StringComparison.Ordinal);
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body));
        Assert.Equal("body", error.Field);
        Assert.DoesNotContain("aaaaaaaaaa", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_bodies_are_refused()
    {
        var nested = new string('[', 64) + new string(']', 64);
        var body = E.Body().Replace("\"resources\":[]", "\"resources\":" + nested, StringComparison.Ordinal);
        Assert.Equal("body", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body)).Field);
    }

    [Fact]
    public void Long_bad_values_are_cut_in_the_message()
    {
        var body = E.Body(tag: new string('x', 500));
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body));
        Assert.True(error.Message.Length < 300, error.Message);
    }

    /// <summary>
    /// ECR takes any tag of 1..300 characters (botocore's model, <c>ImageTag</c>) of letters, digits, '_', '.' and '-',
    /// including ones the OCI distribution spec's grammar refuses; the event of such a push must be copied, not
    /// dead-lettered.
    /// </summary>
    [Theory]
    [InlineData("-rc")]
    [InlineData(".hidden")]
    [InlineData(null)]
    public void Tags_ecr_accepts_are_accepted(string? tag)
    {
        tag ??= new string('t', 300);

        Assert.Equal(tag, EcrEventParser.Parse(E.Body(tag: tag)).Tag);
    }

    [Fact]
    public void A_tag_of_301_characters_is_refused_naming_the_tag_rule()
    {
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(E.Body(tag: new string('t', 301))));

        Assert.Equal("image-tag", error.Field);
        Assert.Contains("1 to 300 characters of letters, digits, '_', '.' and '-'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The reason is ours, not the JsonException's: the AOT bootstrap drops the framework's message texts
    /// (UseSystemResourceKeys), and the dead-letter reason read "ExpectedTrue, this is not JSON { LineNumber: 0 ...".
    /// </summary>
    [Theory]
    [InlineData("this is not JSON {", "the message body is not JSON: invalid JSON at line 1, byte 2 of the line")]
    [InlineData("{\"detail\":{},\"detail\":{}}", "the message body is not JSON: a member name appears twice in one object: 'detail'")]
    public void A_body_that_is_not_JSON_says_where_in_our_words(string body, string expected)
    {
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(body));

        Assert.Equal("body", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The limit is EventBridge's own (an event of at most 256 KB): a body of exactly that many characters could have
    /// come from EventBridge and is read; one character more could not and is refused. Padded with whitespace, which
    /// JSON ignores, so only the length differs.
    /// </summary>
    [Fact]
    public void A_body_of_exactly_the_size_limit_is_parsed_and_one_character_more_is_refused()
    {
        var body = E.Body();
        var atLimit = body + new string(' ', EcrEventParser.MaxBodyLength - body.Length);

        Assert.Equal(EcrEventParser.Parse(body), EcrEventParser.Parse(atLimit));
        Assert.Equal("body", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(atLimit + " ")).Field);
    }

    /// <summary>
    /// EventBridge counts an event's size in UTF-8 bytes (eb-putevent-size.html), not characters: a body of fewer
    /// characters than the limit but more bytes (here a resource of 'é', two bytes each) could not have come from it.
    /// </summary>
    [Fact]
    public void The_size_limit_is_in_utf8_bytes_not_characters()
    {
        var body = E.Body();
        var padding = (EcrEventParser.MaxBodyLength - body.Length) / 2;
        var atLimit = body.Replace("\"resources\":[]", "\"resources\":[\"" + new string('é', padding - 3) + "\"]", StringComparison.Ordinal);
        Assert.True(atLimit.Length < EcrEventParser.MaxBodyLength);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(atLimit) <= EcrEventParser.MaxBodyLength);
        Assert.Equal(EcrEventParser.Parse(body), EcrEventParser.Parse(atLimit));

        var over = atLimit.Replace("é\"]", "éééé\"]", StringComparison.Ordinal);
        Assert.True(over.Length < EcrEventParser.MaxBodyLength);
        var error = Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(over));
        Assert.Equal("body", error.Field);
        Assert.Contains($"is {System.Text.Encoding.UTF8.GetByteCount(over)} bytes in UTF-8", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A JSON null in an optional member (id, time, image-tag) reads as the member left out, as a serializer that writes
    /// nulls would send an untagged push; it is not "not a string", which would dead-letter a valid event.
    /// </summary>
    [Fact]
    public void A_null_optional_member_reads_as_absent()
    {
        var body = E.Body(tag: null)
            .Replace("\"action-type\":\"PUSH\"", "\"action-type\":\"PUSH\",\"image-tag\":null", StringComparison.Ordinal)
            .Replace("\"time\":\"2026-11-28T04:00:00Z\"", "\"time\":null", StringComparison.Ordinal)
            .Replace("\"id\":\"13cde686-328b-6117-af20-0e5566167482\"", "\"id\":null", StringComparison.Ordinal);
        Assert.Contains("\"image-tag\":null", body, StringComparison.Ordinal);

        var parsed = EcrEventParser.Parse(body);

        Assert.Null(parsed.Tag);
        Assert.Null(parsed.Time);
        Assert.Null(parsed.Id);
        Assert.Equal(E.Digest, parsed.Digest);
    }

    /// <summary>
    /// action-type and result are upper-case words of at most 32 characters: a longer value is refused, one of exactly
    /// 32 is read (and kept for the decision to acknowledge, as any value not known here).
    /// </summary>
    [Fact]
    public void An_upper_case_word_of_32_characters_is_read_and_one_of_33_is_refused()
    {
        var word = new string('A', 31) + "_";

        Assert.Equal(word, EcrEventParser.Parse(E.Body(action: word)).ActionType);
        Assert.Equal("action-type", Assert.Throws<InvalidEventException>(() => EcrEventParser.Parse(E.Body(action: word + "B"))).Field);
    }
}
