using LocalEcr;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Configuration;

/// <summary>
/// AWS_CA_BUNDLE: AWSSDK.Core reads it from the process environment and, for every HTTP client it creates, trusts
/// exactly that PEM bundle, so a deployed function's STS, SSM and SQS calls (and the AWS CLI's) pass a TLS-inspecting
/// egress proxy whose root is in the bundle. The engine's own client (ECR calls, layer downloads, PutEvents) reads the
/// same setting from the injected environment; before, it never did, and behind such a proxy every ECR call failed its
/// TLS handshake while the SDK's calls beside it succeeded.
/// </summary>
public sealed class CaBundleTests
{
    /// <summary>
    /// LocalEcr behind a TLS front whose certificate a private root signed (the proxy's): with that root as the bundle
    /// the engine's call is answered, and without it the same endpoint is refused as untrusted.
    /// </summary>
    [Fact]
    public async Task Ecr_calls_trust_the_ca_bundle_that_aws_ca_bundle_names_and_without_it_refuse_the_endpoint()
    {
        await using var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 });
        await using var tls = TlsFront.Start(ecr.BaseAddress.Port);
        var bundle = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, tls.RootPem);
        ReplicatorServices Services(string? caBundle)
        {
            var variables = new Dictionary<string, string>
            {
                ["AWS_REGION"] = "us-east-1",
                ["AWS_ENDPOINT_URL_ECR"] = tls.Endpoint.ToString(),
            };
            if (caBundle is not null)
            {
                variables[CaBundle.Variable] = caBundle;
            }

            return ReplicatorServices.Create(DictionaryEnvironmentVariables.Of(variables), new ReplicatorOptions(), credentials: new StaticCredentialsSource(new AwsCredentials("test", "test")));
        }

        try
        {
            using (var trusting = Services(bundle))
            {
                Assert.NotNull(await trusting.Clients.GetClient("us-east-1").DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));
            }

            using var system = Services(null);
            await Assert.ThrowsAnyAsync<Exception>(() => system.Clients.GetClient("us-east-1").DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    /// <summary>
    /// Roots the caller has read (the function's init, the CLI's check) are trusted as given, and the file is not read
    /// again: here it is gone by the time the engine is built, which reading it again would refuse.
    /// </summary>
    [Fact]
    public async Task Roots_already_read_are_trusted_as_given_without_reading_the_bundle_again()
    {
        await using var ecr = await LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 0 });
        await using var tls = TlsFront.Start(ecr.BaseAddress.Port);
        var bundle = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, tls.RootPem);
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string>
        {
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_ECR"] = tls.Endpoint.ToString(),
            [CaBundle.Variable] = bundle,
        });
        var roots = CaBundle.Load(environment);
        File.Delete(bundle);

        Assert.Throws<SettingException>(() => CaBundle.Load(environment));
        using var services = ReplicatorServices.Create(
            environment, new ReplicatorOptions(), credentials: new StaticCredentialsSource(new AwsCredentials("test", "test")), trustedRoots: roots);
        Assert.NotNull(await services.Clients.GetClient("us-east-1").DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));
    }

    [Theory]
    [InlineData(null, "could not be read")]
    [InlineData("not a certificate\n", "holds no PEM certificate")]
    public async Task A_bundle_that_cannot_be_read_or_holds_no_certificate_is_refused_naming_the_setting(string? content, string problem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        if (content is not null)
        {
            await File.WriteAllTextAsync(path, content);
        }

        try
        {
            var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { [CaBundle.Variable] = path });

            var error = Assert.Throws<SettingException>(() => CaBundle.Load(environment));

            Assert.Equal("AWS_CA_BUNDLE", error.Setting);
            Assert.Contains(path, error.Problem, StringComparison.Ordinal);
            Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unset_or_blank_trusts_the_system_store()
    {
        Assert.Null(CaBundle.Load(DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())));
        Assert.Null(CaBundle.Load(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { [CaBundle.Variable] = " " })));
    }

    /// <summary>
    /// The profile's <c>ca_bundle</c> as the AWS CLI finds it. Each expected value is what botocore 1.43 resolved for the
    /// same files (<c>Session.get_config_variable('ca_bundle')</c>) and then trusted in a call to a TLS front of a private
    /// root: the key of the profile AWS_PROFILE names, the credentials file's ahead of the config file's, <c>~/</c>
    /// expanded (by urllib3), a relative path opened from the working directory.
    /// </summary>
    [Theory]
    [InlineData(null, "[default]\nca_bundle = /etc/proxy/root.pem\n", null, "/etc/proxy/root.pem", "ca_bundle of profile default in the shared config file CONFIG")]
    [InlineData("ops", "[default]\nca_bundle = /etc/default.pem\n[profile ops]\nca_bundle =  /etc/ops.pem \n", null, "/etc/ops.pem", "ca_bundle of profile ops in the shared config file CONFIG")]
    [InlineData("ops", "[default]\nca_bundle = /etc/default.pem\n[profile ops]\nregion = us-east-1\n", null, null, null)]
    [InlineData(null, "[default]\nca_bundle = ~/proxy/root.pem\n", null, "HOME/proxy/root.pem", "ca_bundle of profile default in the shared config file CONFIG")]
    [InlineData(null, "[default]\nca_bundle = proxy/root.pem\n", null, "proxy/root.pem", "ca_bundle of profile default in the shared config file CONFIG")]
    [InlineData(null, "[default]\nca_bundle = /etc/config.pem\n", "[default]\nca_bundle = /etc/credentials.pem\n", "/etc/credentials.pem", "ca_bundle of profile default in the shared credentials file CREDENTIALS")]
    public void The_profiles_ca_bundle_is_read_as_botocore_reads_it(string? profile, string config, string? credentials, string? expectedPath, string? expectedSetting)
    {
        var home = Directory.CreateTempSubdirectory("ca-bundle-home-").FullName;
        try
        {
            var environment = ProfileFiles(home, profile, config, credentials);

            var found = CaBundle.FromSharedConfig(environment);

            string? Resolve(string? text) => text?.Replace("HOME", home, StringComparison.Ordinal)
                .Replace("CONFIG", Path.Combine(home, "config"), StringComparison.Ordinal)
                .Replace("CREDENTIALS", Path.Combine(home, "credentials"), StringComparison.Ordinal);
            Assert.Equal(Resolve(expectedPath), found?.Path);
            Assert.Equal(Resolve(expectedSetting), found?.Setting);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// AWS_CA_BUNDLE wins over the key, even blank (botocore's EnvironmentProvider returns any value present). An empty
    /// value, of either, is the system's authorities: botocore passes it on as <c>verify=''</c>, which turns
    /// verification off (httpsession.py, <c>_setup_ssl_cert</c>), and that is not followed.
    /// </summary>
    [Theory]
    [InlineData("/etc/env.pem", "[default]\nca_bundle = /etc/config.pem\n")]
    [InlineData("", "[default]\nca_bundle = /etc/config.pem\n")]
    [InlineData(null, "[default]\nca_bundle =\n")]
    public void The_variable_wins_over_the_key_and_an_empty_value_reads_nothing(string? variable, string config)
    {
        var home = Directory.CreateTempSubdirectory("ca-bundle-home-").FullName;
        try
        {
            var environment = ProfileFiles(home, null, config, null);
            if (variable is not null)
            {
                environment.SetEnvironmentVariable(CaBundle.Variable, variable);
            }

            Assert.Null(CaBundle.FromSharedConfig(environment));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static DictionaryEnvironmentVariables ProfileFiles(string home, string? profile, string config, string? credentials)
    {
        File.WriteAllText(Path.Combine(home, "config"), config);
        if (credentials is not null)
        {
            File.WriteAllText(Path.Combine(home, "credentials"), credentials);
        }

        var variables = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["AWS_CONFIG_FILE"] = Path.Combine(home, "config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "credentials"),
        };
        if (profile is not null)
        {
            variables["AWS_PROFILE"] = profile;
        }

        return DictionaryEnvironmentVariables.Of(variables);
    }
}
