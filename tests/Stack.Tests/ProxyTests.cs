using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// The function behind an egress proxy (ProxyUrl, NoProxy, CaBundlePath): the variables .NET and the function read,
/// set only when given, and the forms the parameters admit. docs/deploy.md, "Behind an egress proxy".
/// </summary>
public sealed class ProxyTests
{
    private static bool Admits(string parameter, string value) =>
        Regex.IsMatch(value, (string)StackTemplate.Raw["Parameters"]![parameter]!["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [Fact]
    public void Given_a_proxy_the_function_sends_every_call_through_it_trusting_the_bundle_given()
    {
        var variables = Samples.Options.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;

        Assert.Equal(Samples.ProxyUrl, (string)variables["HTTPS_PROXY"]!);
        Assert.Equal(Samples.ProxyUrl, (string)variables["HTTP_PROXY"]!);
        Assert.Equal(Samples.NoProxy, (string)variables["NO_PROXY"]!);
        Assert.Equal(Samples.CaBundlePath, (string)variables["AWS_CA_BUNDLE"]!);
    }

    [Fact]
    public void Without_them_the_function_has_no_proxy_variable_at_all()
    {
        // Absent rather than empty, so that a stack deployed before these parameters keeps the configuration it had.
        var variables = Samples.WithDeletes.Properties("ReplicatorFunction")["Environment"]!["Variables"]!.AsObject();

        Assert.Empty(variables.Select(v => v.Key).Intersect(["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "AWS_CA_BUNDLE"]));
        Assert.Contains("DESTINATION_REGIONS", variables.Select(v => v.Key));
        Assert.All(["ProxyUrl", "NoProxy", "CaBundlePath"], p => Assert.Equal("", (string)StackTemplate.Raw["Parameters"]![p]!["Default"]!));
    }

    [Fact]
    public void No_parameter_is_no_echo_so_a_guided_deploy_can_leave_each_at_its_default()
    {
        // `sam deploy --guided` asks for a NoEcho parameter without its default and asks again on an empty answer
        // (aws-sam-cli, samcli/commands/deploy/guided_context.py, prompt_parameters): ProxyUrl was NoEcho, so a guided
        // deploy without a proxy could not leave it empty. Its value is in the function's configuration anyway.
        var parameters = StackTemplate.Raw["Parameters"]!.AsObject();
        Assert.Contains("ProxyUrl", parameters.Select(p => p.Key));
        Assert.Empty(parameters.Where(p => p.Value!.AsObject().ContainsKey("NoEcho")).Select(p => p.Key));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("http://proxy.internal:3128", true)]
    [InlineData("http://user:p%40ss@proxy.internal:3128", true)]
    [InlineData("https://proxy.internal:443/", true)]
    [InlineData("socks5://10.0.0.9:1080", true)]
    [InlineData("socks4a://10.0.0.9", true)]
    [InlineData("proxy.internal:3128", false)]
    [InlineData("ftp://proxy.internal:21", false)]
    [InlineData("socks5a://10.0.0.9:1080", false)]
    [InlineData("http://proxy.internal:3128/path", false)]
    [InlineData("http://proxy.internal:3128?x=1", false)]
    [InlineData("http://proxy internal:3128", false)]
    public void The_proxy_url_is_one_of_the_forms_dotnet_reads(string value, bool admitted) =>
        Assert.Equal(admitted, Admits("ProxyUrl", value));

    [Theory]
    [InlineData("", true)]
    [InlineData("sqs.us-east-1.amazonaws.com", true)]
    [InlineData(".vpce.amazonaws.com,169.254.169.254,localhost", true)]
    [InlineData("*.amazonaws.com", false)]
    [InlineData("10.0.0.0/8", false)]
    [InlineData("a.example, b.example", false)]
    public void No_proxy_takes_host_names_and_suffixes_only(string value, bool admitted) =>
        Assert.Equal(admitted, Admits("NoProxy", value));

    [Theory]
    [InlineData("", true)]
    [InlineData("/opt/certs/ca-bundle.pem", true)]
    [InlineData("certs/ca-bundle.pem", false)]
    [InlineData("/opt/my certs/ca.pem", false)]
    public void The_ca_bundle_is_an_absolute_path(string value, bool admitted) =>
        Assert.Equal(admitted, Admits("CaBundlePath", value));
}
