using Replicator.Core.Tests.Fuzzing;
using Replicator.Core.Validation;
using Replicator.Function.Events;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Fuzzing;

/// <summary>
/// Hostile SQS bodies: seeded mutations of valid events and generated hostile fields. Each body either parses into an
/// event whose every field is valid (so nothing invalid can reach an ECR request), or fails with an
/// <see cref="InvalidEventException"/> naming the field — never another exception, never echoing the input.
/// Not timed: the validation regexes carry match timeouts, so a catastrophic backtrack throws
/// RegexMatchTimeoutException, which fails here like any other escape; a wall-clock bound per input would fail on a
/// busy machine instead.
/// </summary>
public sealed class EcrEventParserFuzzTests
{
    private static readonly string[] Seeds =
    [
        E.Body(),
        E.Body(tag: null),
        E.Body(action: "DELETE", repository: "team/service-a"),
        E.Body(result: "FAILURE", tag: "release-1.2.3"),
        HostileEvents.Body(HostileEvents.ValidFields().ToDictionary(kv => kv.Key, kv => (string?)kv.Value)),
    ];

    [Fact]
    public void Mutated_events_parse_to_valid_fields_or_fail_naming_a_field()
    {
        var mutator = new JsonMutator(seed: 88);
        var failures = 0;
        for (var i = 0; i < 4_000; i++)
        {
            failures += Check(mutator.Mutate(Seeds[i % Seeds.Length]), $"mutation {i}") is null ? 0 : 1;
        }

        Assert.InRange(failures, 2_000, 4_000);
    }

    public static TheoryData<string, string, string> Hostile()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (name, body, field) in HostileEvents.All())
        {
            data.Add(name, body, field);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_fields_fail_naming_the_field(string name, string body, string field)
    {
        var error = Check(body, name);

        Assert.NotNull(error);
        Assert.Equal(field, error.Field);
        Assert.True(
            error.Message.Contains(field, StringComparison.Ordinal) || error.Message.Contains(field.Replace('-', ' '), StringComparison.Ordinal),
            $"{name}: the message does not name {field}: {error.Message}");
    }

    [Fact]
    public void Generated_field_combinations_parse_to_valid_fields_or_fail_naming_a_field()
    {
        var random = new Random(89);
        var cases = HostileEvents.FieldValues().ToArray();
        var parsed = 0;
        for (var i = 0; i < 2_000; i++)
        {
            // Several fields broken at once: the parser blames one of them.
            var fields = HostileEvents.ValidFields().ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
            var broken = new HashSet<string>(StringComparer.Ordinal);
            for (var k = random.Next(0, 4); k > 0; k--)
            {
                var pick = cases[random.Next(cases.Length)];
                fields[pick.Field] = pick.Raw;
                broken.Add(pick.Field);
            }

            var error = Check(HostileEvents.Body(fields), $"combination {i}");
            if (error is null)
            {
                parsed++;
                Assert.Empty(broken);
            }
            else
            {
                Assert.True(broken.Contains(error.Field), $"combination {i}: blamed {error.Field} ({error.Message}), broke {string.Join(',', broken)}");
            }
        }

        Assert.InRange(parsed, 1, 1_999);
    }

    /// <summary>Parses; returns the InvalidEventException, or null after validating every field of the event.</summary>
    internal static InvalidEventException? Check(string body, string what)
    {
        try
        {
            var parsed = EcrEventParser.Parse(body);
            Assert.True(EcrNames.IsRegistryId(parsed.Account), $"{what}: account");
            Assert.True(EcrNames.IsRegion(parsed.Region), $"{what}: region");
            Assert.True(EcrNames.IsRepositoryName(parsed.RepositoryName), $"{what}: repository");
            Assert.True(parsed.Digest is null || EcrNames.IsDigest(parsed.Digest), $"{what}: digest");
            Assert.True(parsed.Tag is null || EcrNames.IsTag(parsed.Tag), $"{what}: tag");
            return null;
        }
        catch (InvalidEventException ex)
        {
            Assert.False(string.IsNullOrEmpty(ex.Field), $"{what}: no field named");
            Assert.True(ex.Message.Length is > 0 and < 1_000, $"{what}: message of {ex.Message.Length} characters");
            return ex;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: {ex.GetType().Name} escaped the parser: {ex.Message}");
            throw;
        }
    }
}
