using Replicator.Core.Configuration;
using Replicator.Testing;

namespace Replicator.Core.Tests.Configuration;

/// <summary>Where the shared config file is looked for, by the SDKs' home directory rules.</summary>
public sealed class SharedConfigFileTests
{
    private static DictionaryEnvironmentVariables Environment(params (string Name, string Value)[] values) =>
        DictionaryEnvironmentVariables.Of(values.ToDictionary(v => v.Name, v => v.Value));

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
}
