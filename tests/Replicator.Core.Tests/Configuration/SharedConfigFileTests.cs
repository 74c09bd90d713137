using Replicator.Core.Configuration;
using Replicator.Testing;

namespace Replicator.Core.Tests.Configuration;

/// <summary>Where the shared config file is looked for, by the SDKs' home directory rules.</summary>
public sealed class SharedConfigFileTests
{
    private static DictionaryEnvironmentVariables Environment(params (string Name, string Value)[] values) =>
        DictionaryEnvironmentVariables.Of(values.ToDictionary(v => v.Name, v => v.Value));

    /// <summary>
    /// <paramref name="read"/> with AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming files of these contents in a
    /// folder of the test's own, and AWS_PROFILE set to <paramref name="profile"/> unless it is null.
    /// </summary>
    private static T WithSharedFiles<T>(string config, string credentials, string? profile, Func<DictionaryEnvironmentVariables, T> read)
    {
        var home = Directory.CreateTempSubdirectory("replicator-shared-files-").FullName;
        try
        {
            var configPath = Path.Combine(home, "cfg");
            File.WriteAllText(configPath, config);
            var credentialsPath = Path.Combine(home, "creds");
            File.WriteAllText(credentialsPath, credentials);
            var variables = new List<(string, string)> { ("AWS_CONFIG_FILE", configPath), ("AWS_SHARED_CREDENTIALS_FILE", credentialsPath) };
            if (profile is not null)
            {
                variables.Add(("AWS_PROFILE", profile));
            }

            return read(Environment([.. variables]));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void On_Windows_the_home_directory_is_USERPROFILE_when_HOME_is_not_set()
    {
        var environment = Environment(("USERPROFILE", @"C:\Users\ops"));

        Assert.Equal(Path.Combine(@"C:\Users\ops", ".aws", "config"), SharedConfigFile.PathOf(environment, windows: true));
        Assert.Null(SharedConfigFile.PathOf(environment, windows: false));
    }

    [Fact]
    public void HOME_comes_first_on_every_platform_then_USERPROFILE_then_HOMEDRIVE_and_HOMEPATH()
    {
        Assert.Equal("/home/ops", SharedConfigFile.HomeDirectory(Environment(("HOME", "/home/ops"), ("USERPROFILE", @"C:\Users\ops")), windows: true));
        Assert.Equal(@"D:\Users\ops", SharedConfigFile.HomeDirectory(Environment(("HOMEDRIVE", "D:"), ("HOMEPATH", @"\Users\ops")), windows: true));
        Assert.Equal(@"C:\Users\ops", SharedConfigFile.HomeDirectory(Environment(("HOME", ""), ("USERPROFILE", @"C:\Users\ops")), windows: true));
        Assert.Null(SharedConfigFile.HomeDirectory(Environment(("HOMEDRIVE", "D:")), windows: true));
    }

    [Theory]
    [InlineData("~/cfg/aws", true)]
    [InlineData(@"~\cfg\aws", true)]
    [InlineData("~/cfg/aws", false)]
    public void AWS_CONFIG_FILE_wins_and_a_leading_tilde_is_the_home_directory(string configured, bool windows)
    {
        var environment = Environment(("AWS_CONFIG_FILE", configured), ("USERPROFILE", "/profile"), ("HOME", windows ? string.Empty : "/profile"));

        Assert.Equal(Path.Combine("/profile", configured[2..]), SharedConfigFile.PathOf(environment, windows));
    }

    /// <summary>
    /// Each case as Python's posixpath.expandvars answers it (botocore's raw_config_parse expands both shared files'
    /// paths with it), run with HOME=/home/ops CFG=/etc/aws EMPTY= LOOP='$HOME' CI_ROOT=/ci and V2=/v2. A name is
    /// ASCII letters, digits and _ (its pattern is \$(\w+|\{[^}]*\}) under re.ASCII), and a '{' never closed is
    /// kept as written while a variable after it is still expanded.
    /// </summary>
    [Theory]
    [InlineData("$HOME/.aws/config", "/home/ops/.aws/config")]
    [InlineData("${HOME}/x", "/home/ops/x")]
    [InlineData("$UNSET/x", "$UNSET/x")]
    [InlineData("${UNSET}/x", "${UNSET}/x")]
    [InlineData("a$EMPTY/b", "a/b")]
    [InlineData("$$HOME", "$/home/ops")]
    [InlineData("${}", "${}")]
    [InlineData("$", "$")]
    [InlineData("x$", "x$")]
    [InlineData("${HOME", "${HOME")]
    [InlineData("$HOME-1", "/home/ops-1")]
    [InlineData("$CFG$CFG", "/etc/aws/etc/aws")]
    [InlineData("$LOOP/x", "$HOME/x")]
    [InlineData("/plain/path", "/plain/path")]
    [InlineData("$CI_ROOT/x", "/ci/x")]
    [InlineData("$V2/x", "/v2/x")]
    [InlineData("${HOME$CFG", "${HOME/etc/aws")]
    public void Variables_in_a_path_expand_as_Pythons_expandvars_expands_them(string path, string expected)
    {
        var environment = Environment(("HOME", "/home/ops"), ("CFG", "/etc/aws"), ("EMPTY", string.Empty), ("LOOP", "$HOME"), ("CI_ROOT", "/ci"), ("V2", "/v2"));

        Assert.Equal(expected, PathVariables.ExpandPosix(environment, path));
    }

    /// <summary>
    /// Each case as Python's ntpath.expandvars (CPython 3.11) answers it, the AWS CLI's rule on Windows, run with
    /// HOME=C:\Users\ops CFG=D:\aws EMPTY= LOOP=%HOME% and CI_ROOT=C:\ci: %NAME% as well as $NAME and ${NAME}, %% and
    /// $$ for the character itself, single quotes keeping their text, '-' in a $NAME.
    /// </summary>
    [Theory]
    [InlineData(@"%HOME%\.aws\config", @"C:\Users\ops\.aws\config")]
    [InlineData(@"$HOME\x", @"C:\Users\ops\x")]
    [InlineData(@"${HOME}\x", @"C:\Users\ops\x")]
    [InlineData(@"%UNSET%\x", @"%UNSET%\x")]
    [InlineData(@"%%HOME%%", @"%HOME%")]
    [InlineData(@"%HOME", @"%HOME")]
    [InlineData(@"a%EMPTY%\b", @"a\b")]
    [InlineData(@"%LOOP%\x", @"%HOME%\x")]
    [InlineData(@"$$HOME", @"$HOME")]
    [InlineData(@"'%HOME%'\x", @"'%HOME%'\x")]
    [InlineData(@"'%HOME%", @"'%HOME%")]
    [InlineData(@"%%", @"%")]
    [InlineData(@"%", @"%")]
    [InlineData(@"x%", @"x%")]
    [InlineData(@"%HOME%%CFG%", @"C:\Users\opsD:\aws")]
    [InlineData(@"$HOME-1\x", @"$HOME-1\x")]
    [InlineData(@"${HOME", @"${HOME")]
    [InlineData(@"$", @"$")]
    [InlineData(@"${}", @"${}")]
    [InlineData(@"%CI_ROOT%\$CFG", @"C:\ci\D:\aws")]
    [InlineData(@"100%\x", @"100%\x")]
    [InlineData(@"C:\plain", @"C:\plain")]
    [InlineData(@"%%%HOME%", @"%C:\Users\ops")]
    [InlineData(@"$UNSET\x", @"$UNSET\x")]
    [InlineData(@"${UNSET}", @"${UNSET}")]
    [InlineData(@"a'b'%HOME%", @"a'b'C:\Users\ops")]
    public void On_windows_variables_in_a_path_expand_as_ntpath_expandvars_expands_them(string path, string expected)
    {
        var environment = Environment(("HOME", @"C:\Users\ops"), ("CFG", @"D:\aws"), ("EMPTY", string.Empty), ("LOOP", "%HOME%"), ("CI_ROOT", @"C:\ci"));

        Assert.Equal(expected, PathVariables.Expand(environment, path, windows: true));
    }

    /// <summary>
    /// ntpath's <c>$NAME</c> runs over '_' as well as '-' (its varchars are letters, digits, "_-"), so a CI variable's
    /// usual name is one name, not <c>$CI</c> followed by text. Checked with CPython 3.11's ntpath.expandvars, HOME and
    /// CI_ROOT set as in the theory above.
    /// </summary>
    [Theory]
    [InlineData(@"$CI_ROOT\x", @"C:\ci\x")]
    [InlineData(@"$CI_ROOT-x", @"$CI_ROOT-x")]
    public void On_windows_a_dollar_name_takes_in_underscores_as_ntpath_does(string path, string expected)
    {
        var environment = Environment(("CI", @"C:\wrong"), ("CI_ROOT", @"C:\ci"));

        Assert.Equal(expected, PathVariables.ExpandWindows(environment, path));
    }

    /// <summary>
    /// ntpath reads on after an unset <c>%NAME%</c>'s closing '%', which it keeps: that '%' opens nothing, so in
    /// <c>%UNSET%HOME%</c> the text <c>HOME</c> is no reference (CPython 3.11 answers <c>%UNSET%HOME%</c>). Read as an
    /// opening '%' it would expand HOME, a path the AWS CLI never opens.
    /// </summary>
    [Theory]
    [InlineData(@"%UNSET%HOME%", @"%UNSET%HOME%")]
    [InlineData(@"%UNSET%HOME%\x", @"%UNSET%HOME%\x")]
    public void On_windows_the_closing_percent_of_an_unset_variable_opens_no_other(string path, string expected)
    {
        var environment = Environment(("HOME", @"C:\Users\ops"));

        Assert.Equal(expected, PathVariables.ExpandWindows(environment, path));
    }

    [Fact]
    public void On_windows_a_shared_files_path_has_its_percent_variables_expanded_and_elsewhere_not()
    {
        var environment = Environment(("AWS_CONFIG_FILE", @"%USERPROFILE%\.aws\ci-config"), ("USERPROFILE", @"C:\Users\ops"), ("HOME", string.Empty));

        Assert.Equal(@"C:\Users\ops\.aws\ci-config", SharedConfigFile.PathOf(environment, windows: true));
        Assert.Equal(@"%USERPROFILE%\.aws\ci-config", SharedConfigFile.PathOf(environment, windows: false));
    }

    [Theory]
    [InlineData("AWS_CONFIG_FILE")]
    [InlineData("AWS_SHARED_CREDENTIALS_FILE")]
    public void A_shared_files_path_has_its_variables_expanded_before_its_tilde(string variable)
    {
        // $WHERE is "~/ci": botocore expands variables first, so the tilde it leaves is the home directory.
        var environment = Environment((variable, "$WHERE/${NAME}"), ("WHERE", "~/ci"), ("NAME", "aws-file"), ("HOME", "/home/ops"));

        Assert.Equal(Path.Combine("/home/ops", "ci/aws-file"), SharedConfigFile.ConfiguredPath(environment, variable));
        Assert.Equal(Path.Combine("/home/ops", "ci/aws-file"), SharedConfigFile.PathOf(environment, windows: false, variable, "unused"));
    }

    /// <summary>
    /// The path and the rule it is read with are one: ConfiguredPath, which a caller writes back for AWSSDK.Core to read
    /// the same file, expands <c>%NAME%</c> only where PathOf does, on Windows (ntpath), so the two never name
    /// different files.
    /// </summary>
    [Fact]
    public void ConfiguredPath_expands_percent_variables_only_on_Windows_as_PathOf_does_there()
    {
        var environment = Environment(("AWS_CONFIG_FILE", "%CFG_DIR%/config"), ("CFG_DIR", "/etc/aws"));
        var expected = OperatingSystem.IsWindows() ? "/etc/aws/config" : "%CFG_DIR%/config";

        Assert.Equal(expected, SharedConfigFile.ConfiguredPath(environment, SharedConfigFile.ConfigFileVariable));
        Assert.Equal(expected, SharedConfigFile.PathOf(environment, OperatingSystem.IsWindows()));
    }

    /// <summary>
    /// As documented on ConfiguredPath: the variable is read trimmed, and a blank one is unset, so the home
    /// directory's file is read, as AWSSDK.Core reads a blank one. (botocore itself takes the value as written: a
    /// padded or blank path names no file there, and the AWS CLI reads no config file at all.)
    /// </summary>
    [Theory]
    [InlineData("AWS_CONFIG_FILE", "config")]
    [InlineData("AWS_SHARED_CREDENTIALS_FILE", "credentials")]
    public void A_shared_files_variable_is_read_trimmed_and_a_blank_one_as_unset(string variable, string defaultName)
    {
        var padded = Environment((variable, "  /etc/aws/file \t"), ("HOME", "/home/ops"));
        var blank = Environment((variable, "   "), ("HOME", "/home/ops"));

        Assert.Equal("/etc/aws/file", SharedConfigFile.ConfiguredPath(padded, variable));
        Assert.Equal("/etc/aws/file", SharedConfigFile.PathOf(padded, windows: false, variable, defaultName));
        Assert.Null(SharedConfigFile.ConfiguredPath(blank, variable));
        Assert.Equal(Path.Combine("/home/ops", ".aws", defaultName), SharedConfigFile.PathOf(blank, windows: false, variable, defaultName));
    }

    [Fact]
    public void A_backslash_after_the_tilde_is_no_home_directory_outside_Windows()
    {
        var environment = Environment(("AWS_CONFIG_FILE", @"~\cfg"), ("HOME", "/home/ops"));

        Assert.Equal(@"~\cfg", SharedConfigFile.PathOf(environment, windows: false));
    }

    [Fact]
    public void The_region_of_a_Windows_users_profile_is_read_from_USERPROFILE()
    {
        var profile = Directory.CreateTempSubdirectory("replicator-userprofile-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(profile, ".aws"));
            File.WriteAllText(Path.Combine(profile, ".aws", "config"), "[default]\nregion = eu-north-1\n");

            Assert.Equal("eu-north-1", SharedConfigFile.Get(Environment(("USERPROFILE", profile)), "region", windows: true));
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>
    /// As botocore's Session.full_config merges the credentials file over the config file: checked against botocore
    /// itself (`AWS_CONFIG_FILE=cfg AWS_SHARED_CREDENTIALS_FILE=creds python3 -c "...get_config_variable('region')"`
    /// answers the credentials file's region; a profile only in the credentials file is found as [NAME]).
    /// </summary>
    [Theory]
    [InlineData(null, "eu-west-3", "the shared credentials file")]
    [InlineData("ops", "sa-east-1", "the shared credentials file")]
    [InlineData("config-only", "ap-south-1", "the shared config file")]
    [InlineData("nowhere", null, null)]
    public void A_setting_of_the_profile_in_the_credentials_file_wins_over_the_config_file(string? profile, string? region, string? where)
    {
        var found = WithSharedFiles(
            "[default]\nregion = us-east-2\n[profile ops]\nregion = us-west-1\n[profile config-only]\nregion = ap-south-1\n",
            "[default]\naws_access_key_id = AKIAEXAMPLE\nregion = eu-west-3\n[ops]\nregion = sa-east-1\n[profile config-only]\nregion = af-south-1\n",
            profile,
            environment => SharedConfigFile.Lookup(environment, "region", windows: false));

        Assert.Equal(region, found?.Value);
        Assert.Equal(where, found?.Where);
    }

    /// <summary>
    /// The credentials file's sections are matched with their case, as configparser keeps section names (botocore 1.x,
    /// AWS_PROFILE=ops with [OPS] in the credentials file and [profile ops] in the config file, answers the config
    /// file's region); and a blank AWS_PROFILE is read as unset, the default profile, as this class documents.
    /// </summary>
    [Theory]
    [InlineData("ops", "us-west-1", "the shared config file")]
    [InlineData("  ", "us-east-2", "the shared config file")]
    public void The_profiles_section_is_matched_with_its_case_and_a_blank_profile_is_the_default(string profile, string region, string where)
    {
        var found = WithSharedFiles(
            "[default]\nregion = us-east-2\n[profile ops]\nregion = us-west-1\n",
            "[OPS]\nregion = sa-east-1\n",
            profile,
            environment => SharedConfigFile.Lookup(environment, "region", windows: false));

        Assert.Equal(region, found?.Value);
        Assert.Equal(where, found?.Where);
    }

    /// <summary>
    /// A key under <c>[DEFAULT]</c> is every profile's that does not set it, in either file: botocore reads both with
    /// Python's configparser, whose default section lends its keys to every other section
    /// (https://docs.python.org/3/library/configparser.html, "default_section"). The expected values are botocore
    /// 1.43's <c>get_scoped_config()</c> for the same files; read as absent, the CLI went to the non-FIPS endpoint
    /// where the AWS CLI took the FIPS one.
    /// </summary>
    [Theory]
    [InlineData(null, "use_fips_endpoint", "true")]
    [InlineData(null, "region", "eu-west-3")]
    [InlineData("ops", "use_fips_endpoint", "false")]
    [InlineData("ops", "region", null)]
    [InlineData("nowhere", "use_fips_endpoint", null)]
    public void A_key_of_the_DEFAULT_section_is_every_profiles_that_does_not_set_it_as_in_botocore(string? profile, string key, string? expected)
    {
        var found = WithSharedFiles(
            "[DEFAULT]\nuse_fips_endpoint = true\n\n[default]\nregion = us-east-1\n\n[profile ops]\nuse_fips_endpoint = false\n",
            "[DEFAULT]\nregion = eu-west-3\n\n[default]\naws_access_key_id = AKIAEXAMPLE\n",
            profile,
            environment => SharedConfigFile.Get(environment, key, windows: false));

        Assert.Equal(expected, found);
    }

    [Fact]
    public void Without_AWS_SHARED_CREDENTIALS_FILE_the_credentials_file_is_the_one_in_the_home_directory()
    {
        var home = Directory.CreateTempSubdirectory("replicator-credentials-home-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(home, ".aws"));
            File.WriteAllText(Path.Combine(home, ".aws", "credentials"), "[default]\nregion = eu-central-2\n");

            Assert.Equal("eu-central-2", SharedConfigFile.Get(Environment(("HOME", home)), "region", windows: false));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// A file saved with a UTF-8 byte order mark (Windows PowerShell 5.1's <c>Out-File -Encoding utf8</c>) is read as
    /// without it. botocore refuses such a file (<c>ConfigParseError</c>: to configparser its first line is no section
    /// header), but a command's keys come from AWSSDK.Core's profile reader, which skips the mark: refusing it here would
    /// stop a command over its region while the same process reads its keys from that file.
    /// </summary>
    [Fact]
    public void A_file_that_starts_with_a_byte_order_mark_is_read_as_AWSSDK_reads_it()
    {
        var home = Directory.CreateTempSubdirectory("replicator-bom-").FullName;
        try
        {
            var withMark = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
            var credentials = Path.Combine(home, "credentials");
            File.WriteAllText(credentials, "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\nregion = eu-south-1\n", withMark);
            File.WriteAllText(Path.Combine(home, "config"), "[default]\nregion = eu-north-1\n", withMark);
            Assert.Equal(0xEF, File.ReadAllBytes(credentials)[0]);

            Assert.Equal("eu-south-1", SharedConfigFile.Get(Environment(("AWS_SHARED_CREDENTIALS_FILE", credentials), ("AWS_CONFIG_FILE", Path.Combine(home, "config"))), "region"));
            Assert.Equal("eu-north-1", SharedConfigFile.Get(Environment(("AWS_CONFIG_FILE", Path.Combine(home, "config")), ("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(home, "none"))), "region"));
            Assert.True(new Amazon.Runtime.CredentialManagement.SharedCredentialsFile(credentials).TryGetProfile("default", out var profile));
            Assert.Equal("AKIDEXAMPLE", profile.Options.AccessKey);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
