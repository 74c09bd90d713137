using Replicator.Core.Configuration;
using Replicator.Testing;

namespace Replicator.Core.Tests.Configuration;

/// <summary>
/// The shared config and credentials files read as the AWS CLI reads them. Every expected value and every refusal
/// below is what botocore 1.43 gives for the same files (<c>Session().get_scoped_config().get('region')</c> with
/// <c>AWS_CONFIG_FILE</c>, <c>AWS_SHARED_CREDENTIALS_FILE</c> and <c>AWS_PROFILE</c> set; a refusal is its
/// <c>ConfigParseError</c>, "Unable to parse config file").
/// </summary>
public sealed class SharedConfigDocumentTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-config-document-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string ConfigPath => Path.Combine(_work, "config");

    private string CredentialsPath => Path.Combine(_work, "credentials");

    private (string Value, string Where)? Lookup(string config, string credentials = "", string? profile = null)
    {
        File.WriteAllText(ConfigPath, config);
        File.WriteAllText(CredentialsPath, credentials);
        var values = new Dictionary<string, string> { ["AWS_CONFIG_FILE"] = ConfigPath, ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsPath };
        if (profile is not null)
        {
            values["AWS_PROFILE"] = profile;
        }

        return SharedConfigFile.Lookup(DictionaryEnvironmentVariables.Of(values), "region", windows: false);
    }

    /// <summary>
    /// A line indented deeper than a key that has a value continues that value (configparser's multi-line values): the
    /// lines are joined with a line break, blank lines between them kept, comments skipped. Read as the first line alone,
    /// a region the AWS CLI refuses ("Provided region_name 'us-east-1\neu-west-1' doesn't match a supported format")
    /// was taken as us-east-1.
    /// </summary>
    [Theory]
    [InlineData("[default]\nregion = us-east-1\n    eu-west-1\n", "us-east-1\neu-west-1")]
    [InlineData("[default]\nregion = us-east-1\n\n    eu-west-1\n\n", "us-east-1\n\neu-west-1")]
    [InlineData("[default]\nregion = us-east-1\n  # a comment\n    eu-west-1\n", "us-east-1\neu-west-1")]
    [InlineData("[default]\nregion = us-east-1\n  ; a comment\n    eu-west-1\n", "us-east-1\neu-west-1")]
    [InlineData("[default]\nregion = us-east-1 # not a comment\n", "us-east-1 # not a comment")]
    [InlineData("[default]\nREGION : eu-west-2\n", "eu-west-2")]
    public void A_value_is_what_configparser_makes_of_its_lines(string config, string expected)
    {
        Assert.Equal(expected, Lookup(config)?.Value);
    }

    /// <summary>
    /// Profile sections are found as botocore's <c>build_profile_map</c> finds them: the section name's shell words
    /// (<c>shlex.split</c>) must be <c>profile</c> and the name, and the section further down the file replaces an
    /// earlier one of the same profile whole. <c>[ default ]</c> is not the default profile there.
    /// </summary>
    [Theory]
    [InlineData("[profile  ops]\nregion = eu-west-1\n", "ops", "eu-west-1")]
    [InlineData("[profile \"my ops\"]\nregion = eu-west-1\n", "my ops", "eu-west-1")]
    [InlineData("[profile ops]\nregion = eu-west-1\n[profile  ops]\noutput = json\n", "ops", null)]
    [InlineData("[ default ]\nregion = eu-west-1\n", null, null)]
    [InlineData("[profile a b]\nregion = eu-west-1\n", "a", null)]
    [InlineData("[profile \"ops]\nregion = eu-west-1\n", "\"ops", null)]
    public void A_profile_section_is_the_last_whose_name_splits_into_profile_and_the_name(string config, string? profile, string? expected)
    {
        Assert.Equal(expected, Lookup(config, profile: profile)?.Value);
    }

    [Theory]
    [InlineData("[ default ]\nregion = eu-west-1\n", null, "us-east-1")]
    [InlineData("[DEFAULT]\nregion = eu-west-1\n", "DEFAULT", null)]
    public void A_credentials_file_profile_is_the_section_of_exactly_that_name_and_never_DEFAULT(string credentials, string? profile, string? expected)
    {
        Assert.Equal(expected, Lookup("[default]\nregion = us-east-1\n", credentials, profile)?.Value);
    }

    /// <summary>
    /// What configparser (strict, no valueless keys) or botocore's <c>_parse_nested</c> refuses, whichever profile is
    /// asked for. The AWS CLI fails every command on such a file; read leniently, the CLI here went on with settings the
    /// AWS CLI never reads.
    /// </summary>
    [Theory]
    [InlineData("[default]\nregion = us-east-1\ngarbage\n", 3, "the line is neither a [section] header nor a name = value setting")]
    [InlineData("[default]\n= x\n", 2, "the line is neither")]
    [InlineData("[default]\n[]\n", 2, "the line is neither")]
    [InlineData("region = us-east-1\n[default]\n", 1, "the line comes before the first [section] header")]
    [InlineData("garbage\n[default]\n", 1, "the line comes before the first [section] header")]
    [InlineData("[default]\nregion = us-east-1\n[default]\noutput = json\n", 3, "section [default] is given a second time")]
    [InlineData("[default]\nregion = us-east-1\nRegion = eu-west-1\n", 3, "region is given a second time in section [default]")]
    [InlineData("[default]\n  region = us-east-1\n region = eu-west-1\n", 3, "region is given a second time")]
    [InlineData("[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n[default]\nregion = us-east-1\n", 4, "a is given a second time in section [DEFAULT]")]
    [InlineData("[default]\nregion = us-east-1\ns3 =\n  foo\n", 3, "a sub-setting of s3 (on the lines indented under it) has no '='")]
    [InlineData("[DEFAULT]\ns3 =\n  foo\n[default]\n", 2, "a sub-setting of s3")]
    [InlineData("[profile other]\ngarbage\n[default]\nregion = us-east-1\n", 2, "the line is neither")]
    public void A_file_the_AWS_CLI_cannot_parse_is_refused_naming_the_line(string config, int line, string problem)
    {
        var refused = Assert.Throws<SettingException>(() => Lookup(config));

        Assert.Equal($"the shared config file {ConfigPath}", refused.Setting);
        Assert.Contains($"line {line}: {problem}", refused.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_credentials_file_the_AWS_CLI_cannot_parse_is_refused_too()
    {
        var refused = Assert.Throws<SettingException>(() => Lookup("[default]\nregion = us-east-1\n", "[default]\ngarbage\n"));

        Assert.Equal($"the shared credentials file {CredentialsPath}", refused.Setting);
    }

    /// <summary>
    /// A refused line is named by its number, its text never quoted: in these files it can be a piece of a secret key
    /// or a session token broken by a hard line break, too short for the CLI's redactor to recognise as one.
    /// </summary>
    [Theory]
    [InlineData("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/b\nPxRfiCYEXAMPLEKEY\n", 4, "PxRfiCYEXAMPLEKEY")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[default]\n", 1, "K7MDENG")]
    [InlineData("[default]\naws_session_token =\n  IQoJb3JpZ2luX2VjEXAMPLE\n", 2, "IQoJb3JpZ2luX2VjEXAMPLE")]
    public void A_refused_line_of_a_credentials_file_is_named_by_its_number_without_its_text(string credentials, int line, string secret)
    {
        var refused = Assert.Throws<SettingException>(() => Lookup("[default]\nregion = us-east-1\n", credentials));

        Assert.Contains($"line {line}: ", refused.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n[default]\nregion = us-east-1\n", "us-east-1")]
    [InlineData("[DEFAULT]\ns3 =\n  foo\n", null)]
    public void What_botocore_accepts_is_accepted(string config, string? expected)
    {
        // A [DEFAULT] header may come twice (only its keys may not), and its sub-settings are parsed only for the
        // sections that inherit them: a file with no other section has none to refuse.
        Assert.Equal(expected, Lookup(config)?.Value);
    }

    [Fact]
    public void A_sub_setting_given_twice_is_the_last_one_as_in_the_dictionary_botocore_makes()
    {
        // botocore: full_config['services'] == {'s': {'ecr': {'endpoint_url': 'http://b.example'}}}, and an ECR client's
        // endpoint_url is http://b.example.
        var config = SharedConfigDocument.Parse(["[services s]", "ecr =", "  endpoint_url = http://a.example", "  endpoint_url = http://b.example"], "test");

        Assert.Equal("http://b.example", SharedConfigFile.FindNested(config, "services s", "ecr", "endpoint_url"));
    }

    [Theory]
    [InlineData("profile ops", new[] { "profile", "ops" })]
    [InlineData("profile \t ops", new[] { "profile", "ops" })]
    [InlineData("profile \"my ops\"", new[] { "profile", "my ops" })]
    [InlineData("profile 'a b'", new[] { "profile", "a b" })]
    [InlineData("profile a\\ b", new[] { "profile", "a b" })]
    [InlineData("profile \"a\\\"b\"", new[] { "profile", "a\"b" })]
    [InlineData("profile \"a\\xb\"", new[] { "profile", "a\\xb" })]
    [InlineData("profile \"a\\\\b\"", new[] { "profile", "a\\b" })]
    [InlineData("profile \"a\\\\\"", new[] { "profile", "a\\" })]
    [InlineData("profile a b", new[] { "profile", "a", "b" })]
    public void Section_names_split_into_words_as_shlex_splits_them(string name, string[] expected)
    {
        // Each expected list is Python's shlex.split of the same text.
        Assert.Equal(expected, SharedConfigDocument.ShellWords(name));
    }

    [Theory]
    [InlineData("profile \"unclosed")]
    [InlineData("profile 'unclosed")]
    [InlineData("profile trailing\\")]
    public void A_name_shlex_cannot_split_has_no_words(string name)
    {
        Assert.Null(SharedConfigDocument.ShellWords(name));
    }

    /// <summary>
    /// botocore's <c>build_profile_map</c> takes a section whose name starts with <c>profile</c> and whose shell words
    /// are exactly two: the words may be split by a tab as by spaces, and a third word makes no profile of either name
    /// (botocore 1.43: <c>[profile&#9;ops]</c> is profile ops; <c>[profile a b]</c> is neither a nor b, ProfileNotFound).
    /// </summary>
    [Theory]
    [InlineData("[profile\tops]\nregion = eu-west-3\n", "ops", "eu-west-3")]
    [InlineData("[profile a b]\nregion = eu-west-1\n", "b", null)]
    public void A_profile_section_name_is_split_at_any_blank_and_must_be_exactly_two_words(string config, string profile, string? expected)
    {
        Assert.Equal(expected, Lookup(config, profile: profile)?.Value);
    }

    /// <summary>
    /// configparser keeps a blank line between a value's lines, and botocore's <c>_parse_nested</c> skips it (botocore
    /// 1.43: <c>s3</c> is <c>{'addressing_style': 'path', 'use_accelerate_endpoint': 'false'}</c> for this file): it is
    /// no sub-setting without <c>=</c>, and refusing it would stop every command over a file the AWS CLI reads.
    /// </summary>
    [Fact]
    public void A_blank_line_between_sub_settings_is_skipped_as_botocore_skips_it()
    {
        const string Config = "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n\n  use_accelerate_endpoint = false\n";

        Assert.Equal("us-east-1", Lookup(Config)?.Value);
        var document = SharedConfigDocument.Parse(Config.Split('\n'), "test");
        Assert.Equal("false", SharedConfigFile.FindNested(document, "default", "s3", "use_accelerate_endpoint"));
    }
}
